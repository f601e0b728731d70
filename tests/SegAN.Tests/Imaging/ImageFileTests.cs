using SegAN.Imaging;
using static SegAN.Tests.Imaging.ImagingTestSupport;

namespace SegAN.Tests.Imaging;

public sealed class ImageFileTests
{
    [Theory]
    [InlineData("scan.dcm")]
    [InlineData("scan.nii.bz2")]
    public void Read_UnknownExtension_ListsTheSupportedOnes(string name)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllBytes(path, [1, 2, 3]);

        var e = Assert.Throws<SegANException>(() => ImageFile.Read(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(".nii.gz", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("case1.nii.gz", true)]
    [InlineData("case1.MHA", true)]
    [InlineData("case1.mhd", true)]
    [InlineData("case1_overlay.png", false)] // previews beside volumes are not cases
    [InlineData("case1.nii.gz.json", false)]
    public void IsImagePath_MeansVolumeFiles(string name, bool expected)
    {
        Assert.Equal(expected, ImageFile.IsImagePath(name));
    }

    [Theory]
    [InlineData("out.mha")]
    [InlineData("out.png")]
    public void Write_ReadOnlyFormat_IsAnErrorAndWritesNothing(string name)
    {
        using var dir = new TempDir();

        Assert.Throws<SegANException>(() => ImageFile.Write(dir.File(name), Ramp(2, 2, 2)));

        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void ReadInfo_Nifti2_ReportsVersionTypeAndByteOrder()
    {
        using var dir = new TempDir();
        var path = dir.File("x.nii.gz");
        NiftiFile.Write(path, Ramp(3, 2, 1), NiftiDataType.UInt16, NiftiVersion.Nifti2, bigEndian: true);

        var info = ImageFile.ReadInfo(path);

        Assert.Equal((ImageFormat.Nifti2, "NIfTI-2", NiftiDataType.UInt16, true), (info.Format, info.FormatName, info.DataType, info.BigEndian));
        Assert.Equal([3L, 2, 1], info.Shape);
        Assert.Equal("RAS", info.Orientation);
    }

    [Fact]
    public void ReadAll_ColourPng_IsWxHxChannels()
    {
        using var dir = new TempDir();
        var path = dir.File("lesion.png");
        File.WriteAllBytes(path, PngImageTests.Png(2, 1, 2, [1, 2, 3, 4, 5, 6]));

        var image = ImageFile.ReadAll(path);

        Assert.Equal(ImageFormat.Png, image.Info.Format);
        Assert.Equal([2L, 1, 3], image.Info.Shape);
        Assert.Equal(3, image.Volumes.Count);
        Assert.Throws<SegANException>(() => ImageFile.Read(path));
    }

    [Fact]
    public void Read_GrayPng_IsOneVolume()
    {
        using var dir = new TempDir();
        var path = dir.File("mask.png");
        File.WriteAllBytes(path, PngImageTests.Png(2, 1, 0, [0, 255]));

        Assert.Equal([0f, 255], ImageFile.Read(path).Data);
    }
}
