using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Tests.Imaging;

/// <summary>
/// Issue 15, class 3: files stay where they belong. A MetaImage's ElementDataFile must be a regular file inside the
/// header's folder; a dataset walk never follows a linked folder (a loop, or a way out of the dataset).
/// </summary>
public sealed class FileConfinementTests
{
    private static string Header(TempDir dir, string dataFile, string name = "image.mhd")
    {
        var path = dir.File(name);
        File.WriteAllText(path, $"NDims = 3\nDimSize = 4 4 2\nElementType = MET_UCHAR\nElementDataFile = {dataFile}\n");
        return path;
    }

    private static SegANException Refused(string path)
    {
        var e = Assert.Throws<SegANException>(() => MetaImageFile.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Theory]
    [InlineData("../../../../../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("/dev/zero")]
    [InlineData("sub/../../outside.raw")]
    public void MetaImage_DataFileOutsideTheHeadersFolder_IsRefused(string dataFile)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(dir.Path)!, "outside.raw"), new byte[32]);

        var e = Refused(Header(dir, dataFile));

        Assert.Contains("outside the header's folder", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("outside")]
    public void MetaImage_DataFileLinkedOutOfTheFolder_IsRefused(string target)
    {
        // Given data.raw beside the header, a link to a device or to a file elsewhere
        using var dir = new TempDir();
        using var other = new TempDir();
        File.WriteAllBytes(other.File("outside.raw"), new byte[32]);
        File.CreateSymbolicLink(dir.File("data.raw"), target == "outside" ? other.File("outside.raw") : target);

        var e = Refused(Header(dir, "data.raw"));

        Assert.Contains("is a link to", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetaImage_DataFileInTheFolder_StillReads_AlsoThroughALinkInside()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("real.raw"), [.. Enumerable.Range(0, 32).Select(i => (byte)i)]);
        File.CreateSymbolicLink(dir.File("linked.raw"), dir.File("real.raw"));

        Assert.Equal(31f, MetaImageFile.ReadVolume(Header(dir, "real.raw")).Data[^1]);
        Assert.Equal(31f, MetaImageFile.ReadVolume(Header(dir, "linked.raw", "other.mhd")).Data[^1]);
    }

    [Fact]
    public void Readers_ADeviceNamedLikeAnImage_IsRefusedWithoutReading()
    {
        // Given image files that are links to /dev/zero (endless zeros)
        using var dir = new TempDir();
        foreach (var name in new[] { "zero.nii", "zero.mha", "zero.png" })
        {
            File.CreateSymbolicLink(dir.File(name), "/dev/zero");
            var e = Assert.Throws<SegANException>(() => ImageFile.Read(dir.File(name)));
            Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Discovery_ALinkLoopAndALinkOutOfTheDataset_AreNotFollowed()
    {
        // Given 3 cases, a link loop (loop -> .) inside the dataset and a link to a folder of other cases outside it
        using var dir = new TempDir();
        var root = Path.Combine(dir.Path, "data");
        var elsewhere = Path.Combine(dir.Path, "elsewhere");
        foreach (var (folder, name) in new[] { (root, "A"), (root, "B"), (root, "C"), (elsewhere, "X") })
        {
            var caseDir = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
            foreach (var suffix in new[] { "t1", "t1ce", "t2", "flair", "seg" })
            {
                File.WriteAllBytes(Path.Combine(caseDir, $"{name}_{suffix}.nii.gz"), [0]);
            }
        }

        Directory.CreateSymbolicLink(Path.Combine(root, "loop"), ".");
        Directory.CreateSymbolicLink(Path.Combine(root, "A", "up"), root);
        Directory.CreateSymbolicLink(Path.Combine(root, "away"), elsewhere);

        // When the dataset is discovered
        var layout = DatasetPresets.Layout(DatasetPreset.Brats2021, ["T1", "T1c", "T2", "FLAIR"]);
        var cases = DatasetDiscovery.Discover(new DirectoryInfo(root), layout);

        // Then exactly the 3 cases are found, every file inside the root
        Assert.Equal(["A", "B", "C"], cases.Select(c => c.Name));
        Assert.All(cases.SelectMany(c => c.ModalityFiles.Append(c.SegFile!)), f => Assert.StartsWith(root + "/", f, StringComparison.Ordinal));
        Assert.Equal(DatasetPreset.Brats2021, DatasetPresets.Detect(new DirectoryInfo(root)));
    }
}
