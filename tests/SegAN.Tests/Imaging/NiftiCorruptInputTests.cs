using SegAN.Imaging;
using static SegAN.Tests.Imaging.ImagingTestSupport;

namespace SegAN.Tests.Imaging;

/// <summary>Broken files must give one clear error naming the file, never a crash or garbage voxels.</summary>
public sealed class NiftiCorruptInputTests
{
    private static byte[] ValidFile(TempDir dir, NiftiVersion version = NiftiVersion.Nifti1)
    {
        var path = dir.File("valid.nii");
        NiftiFile.Write(path, Ramp(2, 3, 4), NiftiDataType.Int16, version);
        return File.ReadAllBytes(path);
    }

    private static SegANException ReadError(TempDir dir, byte[] bytes, string name = "bad.nii")
    {
        var path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SegANException>(() => NiftiFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Theory]
    [InlineData(NiftiVersion.Nifti1)]
    [InlineData(NiftiVersion.Nifti2)]
    public void Read_TruncatedData_SaysTruncated(NiftiVersion version)
    {
        using var dir = new TempDir();
        var bytes = ValidFile(dir, version);

        var e = ReadError(dir, bytes[..^10]);

        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedHeader_SaysTruncated()
    {
        using var dir = new TempDir();

        var e = ReadError(dir, ValidFile(dir)[..200]);

        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedGzip_IsAnError()
    {
        using var dir = new TempDir();
        NiftiFile.Write(dir.File("valid.nii.gz"), Ramp(20, 20, 20, i => i % 1000), NiftiDataType.Int16);
        var bytes = File.ReadAllBytes(dir.File("valid.nii.gz"));

        ReadError(dir, bytes[..(bytes.Length / 2)], "bad.nii.gz");
    }

    [Fact]
    public void Read_BadMagic_SaysMagic()
    {
        using var dir = new TempDir();
        var bytes = ValidFile(dir);
        bytes[345] = (byte)'X';

        var e = ReadError(dir, bytes);

        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotNifti_SaysSizeofHdr()
    {
        using var dir = new TempDir();

        var e = ReadError(dir, [.. Enumerable.Repeat((byte)'a', 400)]);

        Assert.Contains("not a NIfTI file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)] // fewer voxels than the data holds
    [InlineData(9)] // more voxels than the data holds
    public void Read_DimsNotMatchingData_IsAnError(short nx)
    {
        using var dir = new TempDir();
        var bytes = ValidFile(dir);
        BitConverter.GetBytes(nx).CopyTo(bytes, 42); // dim[1] was 2 of a 2x3x4 volume

        var e = ReadError(dir, bytes);

        Assert.Contains("dims", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((short)32, "complex64")]
    [InlineData((short)128, "RGB24")]
    [InlineData((short)77, "77")]
    public void Read_UnsupportedDatatype_NamesIt(short code, string name)
    {
        using var dir = new TempDir();
        var bytes = ValidFile(dir);
        BitConverter.GetBytes(code).CopyTo(bytes, 70);

        var e = ReadError(dir, bytes);

        Assert.Contains("unsupported", e.Message, StringComparison.Ordinal);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NegativeDim_IsAnError()
    {
        using var dir = new TempDir();
        var bytes = ValidFile(dir);
        BitConverter.GetBytes((short)-3).CopyTo(bytes, 44);

        var e = ReadError(dir, bytes);

        Assert.Contains("dim[2]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_SaysNotFound()
    {
        using var dir = new TempDir();
        var path = dir.File("absent.nii.gz");

        var e = Assert.Throws<SegANException>(() => NiftiFile.Read(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }
}
