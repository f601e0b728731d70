using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SegAN.Imaging;

namespace SegAN.Tests.Imaging;

public sealed class MetaImageFileTests
{
    private static byte[] Int16Bytes(short[] values, bool bigEndian)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(2 * i), values[i]);
            else BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        }

        return bytes;
    }

    private static byte[] FloatBytes(float[] values, bool bigEndian)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 * i), values[i]);
            else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    private static byte[] Zlib(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var z = new ZLibStream(memory, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw);
        }

        return memory.ToArray();
    }

    private static string WriteMha(TempDir dir, string name, string header, byte[] data)
    {
        var path = dir.File(name);
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes(header.ReplaceLineEndings("\n")), .. data]);
        return path;
    }

    [Fact]
    public void Read_RawLocalShort_GivesValuesSpacingAndRasAffine()
    {
        // Given a hand-made 3x2x2 MET_SHORT .mha in LPS with identity directions, spacing (0.5, 2, 3), origin (10, 20, 30)
        using var dir = new TempDir();
        short[] values = [0, 1, 2, 3, 4, 5, -6, -7, 8, 9, 10, 32767];
        var path = WriteMha(dir, "brain.mha", """
            ObjectType = Image
            NDims = 3
            BinaryData = True
            BinaryDataByteOrderMSB = False
            CompressedData = False
            TransformMatrix = 1 0 0 0 1 0 0 0 1
            Offset = 10 20 30
            ElementSpacing = 0.5 2 3
            DimSize = 3 2 2
            ElementType = MET_SHORT
            ElementDataFile = LOCAL

            """, Int16Bytes(values, bigEndian: false));

        // When it is read
        var image = MetaImageFile.Read(path);

        // Then values are x-fastest as stored, and the affine is LPS turned RAS: diag(-0.5, -2, 3), origin (-10, -20, 30)
        Assert.Equal(values.Select(v => (float)v), image.Volumes[0].Data);
        Assert.Equal(NiftiDataType.Int16, image.DataType);
        Assert.Equal([3, 2, 2], image.Geometry.Shape);
        Assert.Equal([0.5, 2, 3], image.Geometry.Spacing);
        double[,] expected = { { -0.5, 0, 0, -10 }, { 0, -2, 0, -20 }, { 0, 0, 3, 30 }, { 0, 0, 0, 1 } };
        NiftiFileTests.AssertAffine(expected, image.Geometry.Affine, 1e-12);
        Assert.Equal("LPS", Affines.OrientationCode(image.Geometry.Affine));
    }

    [Fact]
    public void Read_CompressedBigEndianFloat_WithPermutedDirections()
    {
        // Given a zlib-compressed big-endian MET_FLOAT image whose voxel x axis points along world y (LPS) and y along x
        using var dir = new TempDir();
        float[] values = [.. Enumerable.Range(0, 8).Select(i => (i * 1.5f) - 2)];
        var path = WriteMha(dir, "t1.mha", """
            ObjectType = Image
            NDims = 3
            ElementByteOrderMSB = True
            CompressedData = True
            TransformMatrix = 0 1 0 1 0 0 0 0 1
            Origin = 1 2 3
            ElementSpacing = 2 3 4
            DimSize = 2 2 2
            ElementType = MET_FLOAT
            ElementDataFile = LOCAL

            """, Zlib(FloatBytes(values, bigEndian: true)));

        // When it is read
        var image = MetaImageFile.Read(path);

        // Then values decode, and the affine's column 0 is (0, -2, 0) (LPS y turned RAS), column 1 is (-3, 0, 0)
        Assert.True(image.Compressed);
        Assert.True(image.BigEndian);
        Assert.Equal(values, image.Volumes[0].Data);
        double[,] expected = { { 0, -3, 0, -1 }, { -2, 0, 0, -2 }, { 0, 0, 4, 3 }, { 0, 0, 0, 1 } };
        NiftiFileTests.AssertAffine(expected, image.Geometry.Affine, 1e-12);
    }

    [Fact]
    public void Read_MhdWithSeparateRawAndHeaderSize_SkipsThePreamble()
    {
        // Given a .mhd pointing to a .raw whose first 5 bytes are a preamble
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("seg.raw"), [9, 9, 9, 9, 9, 0, 1, 2, 4]);
        var path = WriteMha(dir, "seg.mhd", """
            NDims = 3
            DimSize = 2 2 1
            ElementType = MET_UCHAR
            HeaderSize = 5
            ElementDataFile = seg.raw

            """, []);

        // When it is read, then the data starts after the preamble
        Assert.Equal([0f, 1, 2, 4], MetaImageFile.ReadVolume(path).Data);
    }

    [Fact]
    public void Read_TwoDimensional_IsOneSliceDeep()
    {
        using var dir = new TempDir();
        var path = WriteMha(dir, "slice.mha", "NDims = 2\nDimSize = 3 2\nElementSpacing = 0.7 0.8\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", [1, 2, 3, 4, 5, 6]);

        var volume = ImageFile.Read(path);

        Assert.Equal([3, 2, 1], volume.Geometry.Shape);
        Assert.Equal([0.7, 0.8, 1], volume.Geometry.Spacing);
        Assert.Equal(6f, volume[2, 1, 0]);
    }

    [Fact]
    public void Read_FourDimensional_IsAVolumeList()
    {
        using var dir = new TempDir();
        var path = WriteMha(dir, "series.mha", "NDims = 4\nDimSize = 2 1 1 3\nElementType = MET_CHAR\nElementDataFile = LOCAL\n", [1, 2, 3, 4, 5, 0xFF]);

        var image = MetaImageFile.Read(path);

        Assert.Equal(3, image.Volumes.Count);
        Assert.Equal([5f, -1f], image.Volumes[2].Data);
        Assert.Throws<SegANException>(() => MetaImageFile.ReadVolume(path));
    }

    [Theory]
    [InlineData("NDims = 3\nDimSize = 2 2 2\nElementType = MET_FLOAT_ARRAY\nElementDataFile = LOCAL\n", "ElementType")]
    [InlineData("NDims = 3\nDimSize = 2 2 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", "truncated")]
    [InlineData("NDims = 3\nDimSize = 2 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", "DimSize")]
    [InlineData("NDims = 3\nDimSize = 2 2 1\nElementType = MET_UCHAR\nElementDataFile = missing.raw\n", "not found")]
    [InlineData("NDims = 3\nDimSize = 2 2 1\nElementType = MET_UCHAR\n", "ElementDataFile")]
    [InlineData("NDims = 3\nDimSize = 2 2 1\nElementType = MET_UCHAR\nCompressedData = True\nElementDataFile = LOCAL\n", "zlib")]
    public void Read_BrokenFile_IsAnErrorNamingFileAndProblem(string header, string problem)
    {
        using var dir = new TempDir();
        var path = WriteMha(dir, "bad.mha", header, [1, 2, 3, 4]);

        var e = Assert.Throws<SegANException>(() => MetaImageFile.Read(path));

        Assert.Contains(dir.Path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BinaryGarbage_IsNotAMetaImage()
    {
        using var dir = new TempDir();
        var path = dir.File("noise.mha");
        File.WriteAllBytes(path, [0x1f, 0x8b, 0, 1, 2, 3, 10, 4, 5]);

        var e = Assert.Throws<SegANException>(() => MetaImageFile.Read(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("MetaImage", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadThenWriteNifti_KeepsTheWorldPosition()
    {
        // Given an LPS MetaImage, when it is written as NIfTI and read back, then the RAS affine survives
        using var dir = new TempDir();
        var path = WriteMha(dir, "img.mha", "NDims = 3\nDimSize = 2 1 1\nOffset = 5 6 7\nElementSpacing = 1.5 1 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", [3, 4]);
        var volume = ImageFile.Read(path);

        ImageFile.Write(dir.File("img.nii.gz"), volume, NiftiDataType.UInt8);
        var back = ImageFile.Read(dir.File("img.nii.gz"));

        NiftiFileTests.AssertAffine(volume.Geometry.Affine, back.Geometry.Affine, 1e-6);
        Assert.Equal([3f, 4f], back.Data);
        Assert.Equal("LPS", ImageFile.ReadInfo(dir.File("img.nii.gz")).Orientation);
    }
}
