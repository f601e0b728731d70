using SegAN.Cli;
using SegAN.Data;
using SegAN.Imaging;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class SynthCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-synth-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Synth_WritesABrats2021Dataset_WithLabels0124_And1mmVoxels()
    {
        // Given / When
        var console = new TestConsole();
        var outDir = Path.Combine(_root.FullName, "X");
        var code = SeganApp.Run(["synth", "--out", outDir, "--cases", "3", "--seed", "1"], console);

        // Then three BraTS 2021 cases are discovered and read back
        Assert.Equal(ExitCodes.Ok, code);
        var root = new DirectoryInfo(outDir);
        Assert.Equal(DatasetPreset.Brats2021, DatasetPresets.Detect(root));
        var cases = DatasetDiscovery.Discover(root, DatasetPresets.Layout(DatasetPreset.Brats2021, ["T1", "T1c", "T2", "FLAIR"]));
        Assert.Equal(["Phantom001", "Phantom002", "Phantom003"], cases.Select(c => c.Name));
        foreach (var c in cases)
        {
            var seg = ImageFile.Read(c.SegFile!);
            Assert.Equal([0f, 1f, 2f, 4f], seg.Data.Distinct().Order());
            foreach (var file in c.ModalityFiles)
            {
                var image = ImageFile.Read(file);
                Assert.Equal([96, 96, 96], image.Geometry.Shape);
                Assert.Equal([1.0, 1.0, 1.0], image.Geometry.Spacing);
                Assert.Equal(1.0, image.Geometry.Affine[0, 0], 9);
                Assert.Equal(1.0, image.Geometry.Affine[2, 2], 9);
                Assert.Equal(NiftiDataType.Int16, NiftiFile.ReadHeader(file).DataType);
            }

            Assert.Equal(NiftiDataType.UInt8, NiftiFile.ReadHeader(c.SegFile!).DataType);
        }
    }

    [Fact]
    public void Synth_SameSeed_WritesTheSameBytes()
    {
        string[] Run(string name, int seed)
        {
            var dir = Path.Combine(_root.FullName, name);
            Assert.Equal(ExitCodes.Ok, SeganApp.Run(["synth", "--out", dir, "--cases", "2", "--size", "40", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)], new TestConsole()));
            return [.. Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        }

        var a = Run("a", 4);
        var b = Run("b", 4);
        var c = Run("c", 5);

        Assert.Equal(10, a.Length);
        Assert.Equal(a.Select(Path.GetFileName), b.Select(Path.GetFileName));
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(File.ReadAllBytes(a[i]), File.ReadAllBytes(b[i]));
        }

        Assert.NotEqual(File.ReadAllBytes(a[1]), File.ReadAllBytes(c[1]));
    }

    [Fact]
    public void Synth_Brats2023_UsesThe2023NamesAndEnhancingLabel3()
    {
        var dir = Path.Combine(_root.FullName, "y");
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["synth", "--out", dir, "--cases", "1", "--size", "40", "--labels", "brats2023"], new TestConsole()));

        var root = new DirectoryInfo(dir);
        Assert.Equal(DatasetPreset.Brats2023, DatasetPresets.Detect(root));
        var c = DatasetDiscovery.Discover(root, DatasetPresets.Layout(DatasetPreset.Brats2023)).Single();
        Assert.Equal("Phantom001-t1c.nii.gz", Path.GetFileName(c.ModalityFiles[0]));
        Assert.Equal([0f, 1f, 2f, 3f], ImageFile.Read(c.SegFile!).Data.Distinct().Order());
    }

    [Fact]
    public void Synth_RealisticSplit_WritesTheReferenceLayout_ThatOurLoaderReads()
    {
        // Given realistic BraTS 2015 phantoms written as train 2, validation 1, test 1
        var dir = Path.Combine(_root.FullName, "split");
        var console = new TestConsole();
        var code = SeganApp.Run(
            ["synth", "--out", dir, "--difficulty", "realistic", "--shape", "64x64x48", "--labels", "brats2015", "--split", "2,1,1", "--seed", "3"],
            console);

        // Then the case folders follow the split, with BraTS 2021 file names and 2015 labels
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("(train 2, validation 1, test 1)", console.Output, StringComparison.Ordinal);
        Assert.Equal(["Phantom001", "Phantom002"], Directory.GetDirectories(Path.Combine(dir, "train")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["Phantom003"], Directory.GetDirectories(Path.Combine(dir, "validation")).Select(Path.GetFileName));
        Assert.Equal(["Phantom004"], Directory.GetDirectories(Path.Combine(dir, "test")).Select(Path.GetFileName));
        var seg = ImageFile.Read(Path.Combine(dir, "test", "Phantom004", "Phantom004_seg.nii.gz"));
        Assert.Equal([64, 64, 48], seg.Geometry.Shape);
        Assert.Contains(3f, seg.Data);

        // And our loader lists and reads the training folder
        var check = new TestConsole();
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["dataset", Path.Combine(dir, "train"), "--check", "--labels", "brats2015"], check));
        Assert.Contains("ok Phantom001", check.Output, StringComparison.Ordinal);
        Assert.Contains("ok Phantom002", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Synth_ShapeWithEasy_IsAUsageError()
    {
        var console = new TestConsole();
        var code = SeganApp.Run(["synth", "--out", Path.Combine(_root.FullName, "w"), "--shape", "64x64x48"], console);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--difficulty realistic", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Synth_BadSize_IsAUsageError()
    {
        var console = new TestConsole();
        var code = SeganApp.Run(["synth", "--out", Path.Combine(_root.FullName, "z"), "--size", "8"], console);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("size 8", console.Output, StringComparison.Ordinal);
    }
}
