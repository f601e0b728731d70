using SegAN.Imaging;
using static SegAN.Tests.Imaging.ImagingTestSupport;

namespace SegAN.Tests.Imaging;

public sealed class NiftiFileTests
{
    public static TheoryData<NiftiDataType, bool, bool, NiftiVersion> AllFormats()
    {
        var data = new TheoryData<NiftiDataType, bool, bool, NiftiVersion>();
        foreach (var type in NiftiDataTypes.All)
        {
            foreach (var bigEndian in new[] { false, true })
            {
                foreach (var gz in new[] { false, true })
                {
                    foreach (var version in new[] { NiftiVersion.Nifti1, NiftiVersion.Nifti2 })
                    {
                        data.Add(type, bigEndian, gz, version);
                    }
                }
            }
        }

        return data;
    }

    /// <summary>
    /// A rotated (30° about z), inferior-superior flipped, anisotropic affine: exercises qfac and the quaternion.
    /// (Not a 180° rotation, where a float32 quaternion leaves a = sqrt(1 - b² - c² - d²) ill-conditioned.)
    /// </summary>
    internal static double[,] ObliqueAffine()
    {
        var (c, s) = (Math.Cos(Math.PI / 6), Math.Sin(Math.PI / 6));
        double[] spacing = [0.9, 1.1, 2.5];
        var a = new double[4, 4];
        double[,] r = { { c, -s, 0 }, { s, c, 0 }, { 0, 0, -1 } }; // det -1: a reflection
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                a[i, j] = r[i, j] * spacing[j];
            }
        }

        (a[0, 3], a[1, 3], a[2, 3], a[3, 3]) = (-10, 20, 5.5, 1);
        return a;
    }

    /// <summary>Values every type holds exactly in float32, including the type's limits where float32 has them.</summary>
    internal static float Value(NiftiDataType type, int i) => type switch
    {
        NiftiDataType.UInt8 => i == 0 ? 255 : i % 200,
        NiftiDataType.Int8 => i == 0 ? -128 : i == 1 ? 127 : (i % 100) - 50,
        NiftiDataType.Int16 => i == 0 ? short.MinValue : i == 1 ? short.MaxValue : (i * 37) - 1000,
        NiftiDataType.UInt16 => i == 0 ? ushort.MaxValue : i * 101,
        NiftiDataType.Int32 or NiftiDataType.Int64 => i == 0 ? -16777216 : (i * 1001) - 30000,
        NiftiDataType.UInt32 or NiftiDataType.UInt64 => i == 0 ? 16777216 : i * 1001,
        _ => i == 0 ? float.MaxValue : i == 1 ? -1e-30f : (i * 0.37f) - 5.5f,
    };

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void Write_ThenRead_RoundTripsValuesAndGeometry(NiftiDataType type, bool bigEndian, bool gz, NiftiVersion version)
    {
        // Given a 3x4x5 volume of values the type holds, with an oblique flipped affine
        using var dir = new TempDir();
        var path = dir.File(gz ? "img.nii.gz" : "img.nii");
        var data = Enumerable.Range(0, 60).Select(i => Value(type, i)).ToArray();
        var affine = ObliqueAffine();
        var volume = new Volume(data, new ImageGeometry([3, 4, 5], [0.9, 1.1, 2.5], affine));

        // When it is written and read back
        NiftiFile.Write(path, volume, type, version, bigEndian);
        var image = NiftiFile.Read(path);

        // Then header facts, values and the affine survive
        Assert.Equal(type, image.DataType);
        Assert.Equal(bigEndian, image.BigEndian);
        Assert.Equal(version, image.Version);
        Assert.Equal([3L, 4, 5], image.Shape);
        Assert.Single(image.Volumes);
        Assert.Equal(data, image.Volumes[0].Data);
        var tolerance = version == NiftiVersion.Nifti1 ? 1e-5 : 1e-12; // NIfTI-1 stores the sform in float32
        AssertAffine(affine, image.Geometry.Affine, tolerance);
        Assert.Equal([0.9, 1.1, 2.5], image.Geometry.Spacing, (x, y) => Math.Abs(x - y) < 1e-6);

        // And the qform (quaternion) describes the same affine as the sform
        var h = image.Header;
        var qform = Affines.FromQuaternion(h.QuaternB, h.QuaternC, h.QuaternD, h.QoffsetX, h.QoffsetY, h.QoffsetZ, h.Pixdim[1], h.Pixdim[2], h.Pixdim[3], h.Pixdim[0]);
        AssertAffine(affine, qform, 1e-5);
        Assert.Equal((1, 2), (h.QformCode, h.SformCode));
        Assert.Equal(-1, h.Pixdim[0]);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Write_LabelMapOfImage_CopiesTheImageHeaderGeometry()
    {
        // Given an image read from disk whose header has qform code 1 with a quaternion and sform code 4
        using var dir = new TempDir();
        var geometry = new NiftiGeometry([1, 2, 3, 4, 1, 0, 0, 0], 1, 4, 0.1, 0.2, 0.3, 7, 8, 9, [2, 0, 0, -1], [0, 3, 0, -2], [0, 0, 4, -3], 10);
        double[,] sform = { { 2, 0, 0, -1 }, { 0, 3, 0, -2 }, { 0, 0, 4, -3 }, { 0, 0, 0, 1 } };
        var image = new Volume(new float[24], new ImageGeometry([2, 3, 4], [2, 3, 4], sform) { Nifti = geometry });
        NiftiFile.Write(dir.File("image.nii.gz"), image);
        var read = NiftiFile.ReadVolume(dir.File("image.nii.gz"));

        // When a label map with the image's geometry is written as uint8
        var labels = read.WithData(Enumerable.Range(0, 24).Select(i => (float)(i % 3)).ToArray());
        NiftiFile.Write(dir.File("labels.nii.gz"), labels, NiftiDataType.UInt8);
        var h = NiftiFile.ReadHeader(dir.File("labels.nii.gz"));

        // Then every geometry field is the image's
        Assert.Equal(NiftiDataType.UInt8, h.DataType);
        Assert.Equal((1, 4, 10), (h.QformCode, h.SformCode, h.XyztUnits));
        Assert.Equal([1.0, 2, 3, 4], h.Pixdim[..4]);
        Assert.Equal((0.1f, 0.2f, 0.3f), ((float)h.QuaternB, (float)h.QuaternC, (float)h.QuaternD));
        Assert.Equal((7.0, 8.0, 9.0), (h.QoffsetX, h.QoffsetY, h.QoffsetZ));
        Assert.Equal([2.0, 0, 0, -1], h.SrowX);
        Assert.Equal([0.0, 3, 0, -2], h.SrowY);
        Assert.Equal([0.0, 0, 4, -3], h.SrowZ);
        Assert.Equal(labels.Data, NiftiFile.ReadVolume(dir.File("labels.nii.gz")).Data);
    }

    [Fact]
    public void Write_GeometryChangedAfterReading_UsesTheNewAffineNotTheStaleHeader()
    {
        // Given an image read from disk, then shifted by 5 mm (a crop, say) with the header fields carried along
        using var dir = new TempDir();
        NiftiFile.Write(dir.File("image.nii"), Ramp(2, 2, 2));
        var read = NiftiFile.ReadVolume(dir.File("image.nii"));
        var shifted = (double[,])read.Geometry.Affine.Clone();
        shifted[0, 3] += 5;
        var cropped = new Volume(read.Data, read.Geometry with { Affine = shifted });
        Assert.NotNull(cropped.Geometry.Nifti);

        // When it is written
        NiftiFile.Write(dir.File("cropped.nii"), cropped);

        // Then the file has the new affine
        AssertAffine(shifted, NiftiFile.ReadVolume(dir.File("cropped.nii")).Geometry.Affine, 1e-6);
    }

    [Fact]
    public void Write_Nifti1TooLargeAxis_SuggestsNifti2()
    {
        using var dir = new TempDir();
        var path = dir.File("long.nii");
        var volume = new Volume(new float[40000], ImageGeometry.FromSpacing([40000, 1, 1], [1, 1, 1]));

        var e = Assert.Throws<SegANException>(() => NiftiFile.Write(path, volume, NiftiDataType.UInt8));

        Assert.Contains("NIfTI-2", e.Message, StringComparison.Ordinal);
        NiftiFile.Write(path, volume, NiftiDataType.UInt8, NiftiVersion.Nifti2);
        Assert.Equal([40000L, 1, 1], NiftiFile.Read(path).Shape);
    }

    [Fact]
    public void Write_FourDimensional_ReadsBackAsVolumeList()
    {
        // Given three 2x2x2 volumes
        using var dir = new TempDir();
        var volumes = Enumerable.Range(0, 3).Select(t => Ramp(2, 2, 2, i => (t * 100) + i)).ToArray();

        // When they are written as one int16 file
        NiftiFile.Write(dir.File("series.nii"), volumes, NiftiDataType.Int16);
        var image = NiftiFile.Read(dir.File("series.nii"));

        // Then it is 4D with the three volumes in order
        Assert.Equal([2L, 2, 2, 3], image.Shape);
        Assert.Equal(3, image.Volumes.Count);
        for (var t = 0; t < 3; t++)
        {
            Assert.Equal(volumes[t].Data, image.Volumes[t].Data);
        }
    }

    [Fact]
    public void ReadVolume_FourDimensionalFile_IsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        var path = dir.File("series.nii");
        NiftiFile.Write(path, [Ramp(2, 2, 2), Ramp(2, 2, 2)]);

        var e = Assert.Throws<SegANException>(() => NiftiFile.ReadVolume(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("3D", e.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("standard.nii.gz", new long[] { 4, 5, 7 }, NiftiDataType.UInt8, new[] { 1.0, 3.0, 2.0 })]
    [InlineData("functional.nii", new long[] { 17, 21, 3, 20 }, NiftiDataType.Int16, new[] { 4.0, 4.0, 8.0, 2.0 })]
    [InlineData("example4d.nii.gz", new long[] { 128, 96, 24, 2 }, NiftiDataType.Int16, new[] { 2.0, 2.0, 2.2, 2000.0 })]
    public void Read_SharedTestFiles_MatchTheirReadme(string name, long[] shape, NiftiDataType type, double[] zooms)
    {
        // Given a file written by another implementation (values from the folder's README, read with nibabel)
        var path = Path.Combine(NiftiTestData(), name);

        // When it is read
        var image = NiftiFile.Read(path);

        // Then shape, on-disk type, byte order and zooms agree
        Assert.Equal(shape, image.Shape);
        Assert.Equal(type, image.DataType);
        Assert.False(image.BigEndian);
        Assert.Equal(zooms, image.Zooms, (x, y) => Math.Abs(x - y) < 1e-4);
        Assert.Equal(shape.Length == 4 ? (int)shape[3] : 1, image.Volumes.Count);
    }

    [Fact]
    public void Read_SclSlopeAndInter_AreApplied()
    {
        // Given an int16 file whose header says value = 0.5 * stored + 10
        using var dir = new TempDir();
        var path = dir.File("scaled.nii");
        NiftiFile.Write(path, Ramp(2, 2, 1), NiftiDataType.Int16);
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(0.5f).CopyTo(bytes, 112);
        BitConverter.GetBytes(10f).CopyTo(bytes, 116);
        File.WriteAllBytes(path, bytes);

        // When it is read
        var volume = NiftiFile.ReadVolume(path);

        // Then stored 0, 1, 2, 3 become 10, 10.5, 11, 11.5
        Assert.Equal([10f, 10.5f, 11f, 11.5f], volume.Data);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.NaN)]
    public void Read_SlopeZeroOrNaN_MeansNoScaling(float slope)
    {
        using var dir = new TempDir();
        var path = dir.File("unscaled.nii");
        NiftiFile.Write(path, Ramp(2, 2, 1), NiftiDataType.Int16);
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(slope).CopyTo(bytes, 112);
        BitConverter.GetBytes(10f).CopyTo(bytes, 116);
        File.WriteAllBytes(path, bytes);

        Assert.Equal([0f, 1, 2, 3], NiftiFile.ReadVolume(path).Data);
    }

    [Fact]
    public void Read_HeaderExtension_IsSkippedThroughVoxOffset()
    {
        // Given a file with a 16-byte extension between header and data (vox_offset 368)
        using var dir = new TempDir();
        var path = dir.File("ext.nii");
        NiftiFile.Write(path, Ramp(2, 2, 1), NiftiDataType.UInt8);
        var bytes = File.ReadAllBytes(path).ToList();
        bytes[348] = 1; // extension flag
        bytes.InsertRange(352, [16, 0, 0, 0, 6, 0, 0, 0, (byte)'x', (byte)'x', (byte)'x', (byte)'x', (byte)'x', (byte)'x', (byte)'x', 0]);
        var array = bytes.ToArray();
        BitConverter.GetBytes(368f).CopyTo(array, 108);
        File.WriteAllBytes(path, array);

        // When it is read, then the voxels are the data after the extension
        Assert.Equal([0f, 1, 2, 3], NiftiFile.ReadVolume(path).Data);
    }

    [Fact]
    public void Read_VoxOffsetZero_MeansRightAfterTheHeader()
    {
        // Given a file whose vox_offset field is 0 (a legacy writer's quirk)
        using var dir = new TempDir();
        var path = dir.File("legacy.nii");
        NiftiFile.Write(path, Ramp(2, 2, 1), NiftiDataType.UInt8);
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(0f).CopyTo(bytes, 108);
        File.WriteAllBytes(path, bytes);

        // When it is read, then the data is taken from byte 352
        Assert.Equal([0f, 1, 2, 3], NiftiFile.ReadVolume(path).Data);
    }

    [Fact]
    public void Write_ValueOutOfRange_FailsMidwayAndLeavesNoFile()
    {
        // Given two volumes where only the second has a value uint8 cannot hold, so the writer fails mid-way
        using var dir = new TempDir();
        var path = dir.File("labels.nii.gz");
        var bad = Ramp(2, 2, 2, i => i == 5 ? 300 : 1);

        // When it is written
        var e = Assert.Throws<SegANException>(() => NiftiFile.Write(path, [Ramp(2, 2, 2), bad], NiftiDataType.UInt8));

        // Then the error names the file and the folder holds nothing (no target, no temp file)
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("uint8", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Write_FailedOverwrite_KeepsTheOldFile()
    {
        using var dir = new TempDir();
        var path = dir.File("keep.nii");
        NiftiFile.Write(path, Ramp(2, 2, 2), NiftiDataType.UInt8);
        var before = File.ReadAllBytes(path);

        Assert.Throws<SegANException>(() => NiftiFile.Write(path, Ramp(2, 2, 2, _ => float.NaN), NiftiDataType.Int16));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Write_FolderMissing_IsAnErrorAndCreatesNothing()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "no-such-folder", "x.nii");

        var e = Assert.Throws<SegANException>(() => NiftiFile.Write(path, Ramp(2, 2, 2)));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("image.gz")]
    [InlineData("image.nii.zip")]
    [InlineData("image")]
    public void Write_NotANiftiName_IsAnError(string name)
    {
        using var dir = new TempDir();

        var e = Assert.Throws<SegANException>(() => NiftiFile.Write(dir.File(name), Ramp(2, 2, 2)));

        Assert.Contains(".nii.gz", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData(NiftiDataType.UInt8, 255.4f, 255.5f)]
    [InlineData(NiftiDataType.UInt8, -0.4f, -0.5f)]
    [InlineData(NiftiDataType.Int8, -128.4f, -128.5f)]
    [InlineData(NiftiDataType.Int16, 32767f, 32767.5f)]
    [InlineData(NiftiDataType.UInt16, 65535f, 65536f)]
    [InlineData(NiftiDataType.UInt32, 0f, -1f)]
    [InlineData(NiftiDataType.Int64, -9.223372e18f, 9.223372e18f)] // the float32 nearest 2^63 is 2^63
    [InlineData(NiftiDataType.Int32, 0f, float.NaN)]
    public void Write_IntegerRange_AcceptsTheLimitAndRejectsBeyond(NiftiDataType type, float fits, float beyond)
    {
        using var dir = new TempDir();
        var path = dir.File("range.nii");

        NiftiFile.Write(path, Ramp(1, 1, 1, _ => fits), type);
        Assert.Throws<SegANException>(() => NiftiFile.Write(path, Ramp(1, 1, 1, _ => beyond), type));

        Assert.Equal(MathF.Round(fits, MidpointRounding.AwayFromZero), NiftiFile.ReadVolume(path).Data[0]);
    }

    [Fact]
    public void Write_IntegerType_RoundsHalfAwayFromZero()
    {
        using var dir = new TempDir();
        var path = dir.File("rounded.nii");
        var volume = new Volume([0.4f, 0.5f, -0.5f, 2.6f], ImageGeometry.FromSpacing([2, 2, 1], [1, 1, 1]));

        NiftiFile.Write(path, volume, NiftiDataType.Int16);

        Assert.Equal([0f, 1, -1, 3], NiftiFile.ReadVolume(path).Data);
    }

    internal static void AssertAffine(double[,] expected, double[,] actual, double tolerance)
    {
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tolerance * Math.Max(1, Math.Abs(expected[i, j])), $"affine[{i},{j}]: expected {expected[i, j]}, got {actual[i, j]}");
            }
        }
    }
}
