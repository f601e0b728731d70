using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SegAN.Imaging;
using static SegAN.Tests.Imaging.ImagingTestSupport;

namespace SegAN.Tests.Imaging;

/// <summary>
/// Issue 15, class 2: a header may claim anything; sizes are checked before allocation, so a refused input costs
/// megabytes, not gigabytes. Each case asserts the one-line error naming the file and a bound on what was allocated.
/// </summary>
public sealed class ImageLimitsTests
{
    // Far below any claimed size: a reader that allocated what the header claims would blow through it.
    private const long AllocationBound = 16L << 20;

    private static SegANException Refused(Func<object> read, string path)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SegANException>(read);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes before refusing");
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    /// <summary>A valid little NIfTI-1 file's bytes with its dims (and datatype) overwritten.</summary>
    private static byte[] Nifti1Claiming(TempDir dir, short[] dims, short dataType = 4)
    {
        var path = dir.File("small.nii");
        NiftiFile.Write(path, Ramp(5, 5, 4), NiftiDataType.Int16);
        var bytes = File.ReadAllBytes(path);
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(40 + (2 * i)), i < dims.Length ? dims[i] : (short)1);
        }

        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(70), dataType);
        return bytes;
    }

    private static byte[] Nifti2Claiming(TempDir dir, long[] dims)
    {
        var path = dir.File("small2.nii");
        NiftiFile.Write(path, Ramp(5, 5, 4), NiftiDataType.Int16, NiftiVersion.Nifti2);
        var bytes = File.ReadAllBytes(path);
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16 + (8 * i)), i < dims.Length ? dims[i] : 1);
        }

        return bytes;
    }

    [Fact]
    public void Nifti_A452ByteFileClaiming1290Cubed_IsRefusedByTheCeiling_WithoutAllocating()
    {
        // Given a 452-byte NIfTI-1 whose header claims 1290^3 int16 voxels (2.1 billion voxels, 8.6 GB as float)
        using var dir = new TempDir();
        var path = dir.File("claims.nii");
        File.WriteAllBytes(path, Nifti1Claiming(dir, [3, 1290, 1290, 1290])[..452]);

        // When it is read, then it is refused at once, naming the limit and how to raise it
        var e = Refused(() => NiftiFile.Read(path), path);
        Assert.Contains("over the limit of 1073741824", e.Message, StringComparison.Ordinal);
        Assert.Contains(ImageLimits.MaxVoxelsVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nifti_AHeaderNeedingMoreThanTheMachineHas_IsRefusedByTheBytesPresent_EvenWithTheCeilingRaised()
    {
        // Given a NIfTI-2 claiming 64 volumes of 1024^3 float32 voxels (275 GB) with the ceiling lifted
        using var dir = new TempDir();
        var path = dir.File("huge.nii");
        var bytes = Nifti2Claiming(dir, [4, 1024, 1024, 1024, 64]);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(12), 16);
        File.WriteAllBytes(path, bytes);
        using var lifted = ImageLimits.Override(long.MaxValue / 16);

        // When it is read, then the file's 40 bytes of data refuse it before anything is allocated
        var e = Refused(() => NiftiFile.Read(path), path);
        Assert.Contains("truncated or wrong dims", e.Message, StringComparison.Ordinal);
        Assert.Contains("274877906944 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nifti_DimsWhoseProductOverflows64Bits_AreRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("overflow.nii");
        File.WriteAllBytes(path, Nifti2Claiming(dir, [3, 1L << 40, 1L << 40, 1L << 40]));

        var e = Refused(() => NiftiFile.Read(path), path);

        Assert.Contains("64 bits", e.Message, StringComparison.Ordinal);
        Assert.Contains("64 bits", Assert.Throws<SegANException>(() => ImageFile.ReadInfo(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nifti_A4DFileOf20000Volumes_IsRefusedBeforeReadingAny()
    {
        // Given a small file claiming 20,000 volumes of 16^3 int16 (164 MB)
        using var dir = new TempDir();
        var path = dir.File("series.nii");
        File.WriteAllBytes(path, Nifti1Claiming(dir, [4, 16, 16, 16, 20000]));

        var e = Refused(() => NiftiFile.Read(path), path);

        Assert.Contains("16x16x16x20000", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated or wrong dims", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NiftiGz_ClaimingMoreThanDeflateCanInflateTo_IsRefusedBeforeDecompressing()
    {
        // Given a gzipped header (a few hundred bytes) claiming 1000^3 uint8 voxels: no DEFLATE stream that small inflates to 1 GB
        using var dir = new TempDir();
        var path = dir.File("bomb.nii.gz");
        File.WriteAllBytes(path, Gzip(Nifti1Claiming(dir, [3, 1000, 1000, 1000], dataType: 2)));

        var e = Refused(() => NiftiFile.Read(path), path);

        Assert.Contains("gzip file can hold at most", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NiftiGz_InflatingPastWhatItsHeaderPromised_StopsThere()
    {
        // Given a gzip bomb: a valid 5x5x4 header and voxels, then 32 MB of zeros that compress to a few KB
        using var dir = new TempDir();
        var path = dir.File("tail.nii.gz");
        var small = dir.File("ok.nii");
        NiftiFile.Write(small, Ramp(5, 5, 4), NiftiDataType.Int16);
        File.WriteAllBytes(path, Gzip([.. File.ReadAllBytes(small), .. new byte[32 << 20]]));

        // When it is read, then reading stops one byte past the promised data: an error, not 32 MB read
        var e = Refused(() => NiftiFile.Read(path), path);
        Assert.Contains("more voxel data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetaImage_DimSizeOverflowing64Bits_IsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("overflow.mha");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("NDims = 3\nDimSize = 2000000000 2000000000 2000000000\nElementType = MET_SHORT\nElementDataFile = LOCAL\n").Concat(new byte[64]).ToArray());

        var e = Refused(() => MetaImageFile.Read(path), path);

        Assert.Contains("64 bits", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("False")]
    [InlineData("True")]
    public void MetaImage_ClaimingMoreThanItHolds_IsRefusedBeforeAllocating(string compressed)
    {
        // Given a MetaImage claiming 1000^3 floats (4 GB) over 64 bytes of data, raw or zlib
        using var dir = new TempDir();
        var path = dir.File("claims.mha");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes($"NDims = 3\nDimSize = 1000 1000 1000\nElementType = MET_FLOAT\nCompressedData = {compressed}\nElementDataFile = LOCAL\n").Concat(new byte[64]).ToArray());

        var e = Refused(() => MetaImageFile.Read(path), path);

        Assert.Contains("truncated or wrong DimSize", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Png_ClaimingAHugePicture_IsRefusedBeforeDecoding()
    {
        // Given a PNG whose IHDR claims 100000 x 100000 pixels
        using var dir = new TempDir();
        var path = dir.File("huge.png");
        var bytes = new byte[64];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 13);
        "IHDR"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 100000);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 100000);
        bytes[24] = 8;
        File.WriteAllBytes(path, bytes);

        var e = Refused(() => PngImage.ReadChannels(path), path);

        Assert.Contains("100000x100000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ceiling_LoweredByOverride_RefusesAFileItWouldOtherwiseRead_AndIsRestoredAfter()
    {
        using var dir = new TempDir();
        var path = dir.File("small.nii.gz");
        NiftiFile.Write(path, Ramp(8, 8, 8), NiftiDataType.Int16);

        using (ImageLimits.Override(100))
        {
            var e = Refused(() => ImageFile.Read(path), path);
            Assert.Contains("512 voxels, over the limit of 100", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(512, ImageFile.Read(path).Data.Length);
        Assert.Equal(ImageLimits.DefaultMaxVoxels, ImageLimits.MaxVoxels);
    }

    [Theory]
    [InlineData("2000000000", 2_000_000_000L)]
    [InlineData("2_000_000_000", 2_000_000_000L)]
    public void Ceiling_ParsesTheEnvironmentVariablesForm(string text, long expected) =>
        Assert.Equal(expected, ImageLimits.Parse(text, ImageLimits.MaxVoxelsVariable));

    [Theory]
    [InlineData("lots")]
    [InlineData("-5")]
    [InlineData("0")]
    public void Ceiling_Malformed_IsAnErrorNamingTheVariable(string text) =>
        Assert.Contains(ImageLimits.MaxVoxelsVariable, Assert.Throws<SegANException>(() => ImageLimits.Parse(text, ImageLimits.MaxVoxelsVariable)).Message, StringComparison.Ordinal);

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}
