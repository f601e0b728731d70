using System.CommandLine;
using SegAN.Cli;
using SegAN.Cli.Commands;
using SegAN.Data;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class DatasetCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-dataset-");

    public DatasetCommandTests() =>
        PhantomGenerator.WriteDataset(new DirectoryInfo(Path.Combine(_root.FullName, "data")), 2, new PhantomOptions(Size: 40, Seed: 3));

    private string Data => Path.Combine(_root.FullName, "data");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Dataset_DetectsThePreset_ListsCases_AndChecksThem()
    {
        var console = Console();
        var code = SeganApp.Run(["dataset", Data, "--check"], console);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("T1c=*_t1ce.nii.gz, T2=*_t2.nii.gz, FLAIR=*_flair.nii.gz", console.Output, StringComparison.Ordinal);
        Assert.Contains("2 case(s): 2 train, 0 validation", console.Output, StringComparison.Ordinal);
        Assert.Contains("fewer than 10 cases: segan train holds none out and validates on the training cases", console.Output, StringComparison.Ordinal);
        Assert.Contains("ok Phantom002", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dataset_WrongLabels_ExitsTwo_NamingTheSegFile()
    {
        var console = Console();
        var code = SeganApp.Run(["dataset", Data, "--check", "--labels", "brats2023"], console);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("Phantom001_seg.nii.gz", console.Output, StringComparison.Ordinal);
        Assert.Contains("label 4 ", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dataset_MissingModality_ExitsTwo_NamingTheCase()
    {
        File.Delete(Path.Combine(Data, "Phantom002", "Phantom002_t2.nii.gz"));
        var console = Console();
        var code = SeganApp.Run(["dataset", Data], console);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("case Phantom002", console.Output, StringComparison.Ordinal);
        Assert.Contains("*_t2.nii.gz", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetOptions_Resolve_MixesPresetNamesAndCustomPatterns()
    {
        // Given --modality FLAIR (from the detected preset) and a custom pattern, in that channel order
        var (options, parse) = Parse("--modality", "FLAIR", "--modality", "post=*_t1ce.nii.gz");

        // When
        var layout = options.Resolve(parse, new DirectoryInfo(Data));

        // Then
        Assert.Equal([new ModalityPattern("FLAIR", "*_flair.nii.gz"), new ModalityPattern("post", "*_t1ce.nii.gz")], layout.Modalities);
        Assert.Equal("*_seg.nii.gz", layout.SegPattern);
        Assert.Equal(LabelConvention.Brats2021, layout.Labels);
    }

    [Fact]
    public void DatasetOptions_CustomPatternsOnly_NeedNoPreset_AndDefaultToBrats2021()
    {
        var (options, parse) = Parse("--modality", "a=*_t2.nii.gz", "--seg", "*_seg.nii.gz");
        var layout = options.Resolve(parse, new DirectoryInfo(_root.FullName));
        Assert.Equal("a", layout.Modalities.Single().Name);
        Assert.Equal(LabelConvention.Brats2021, layout.Labels);
    }

    [Fact]
    public void DatasetOptions_ExplicitFiles_MakeOneCase()
    {
        var t1c = Path.Combine(Data, "Phantom001", "Phantom001_t1ce.nii.gz");
        var flair = Path.Combine(Data, "Phantom001", "Phantom001_flair.nii.gz");
        var (options, parse) = Parse("--modality", $"T1c={t1c}", "--modality", $"FLAIR={flair}");

        var files = options.ExplicitCase(parse);

        Assert.NotNull(files);
        Assert.Equal(["T1c", "FLAIR"], files.Modalities);
        Assert.Equal([t1c, flair], files.ModalityFiles);
        Assert.Equal("Phantom001_t1ce", files.Name);
        var patterns = Parse("--modality", "T1c=*_t1ce.nii.gz");
        Assert.Null(patterns.Options.ExplicitCase(patterns.Parse));
        var missing = Parse("--modality", $"T1c={t1c}", "--modality", "T2=/no/such.nii.gz");
        var e = Assert.Throws<SegANException>(() => missing.Options.ExplicitCase(missing.Parse));
        Assert.Contains("/no/such.nii.gz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetOptions_NoBratsNames_AndNoModality_IsAnError()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root.FullName, "empty"));
        File.WriteAllBytes(Path.Combine(empty.FullName, "x.nii.gz"), []);
        var (options, parse) = Parse();

        var e = Assert.Throws<SegANException>(() => options.Resolve(parse, empty));
        Assert.Contains(empty.FullName, e.Message, StringComparison.Ordinal);
    }

    private static TestConsole Console()
    {
        var console = new TestConsole();
        console.Profile.Width = 300;
        return console;
    }

    private static (DatasetOptions Options, ParseResult Parse) Parse(params string[] args)
    {
        var options = DatasetOptions.Create();
        var command = new RootCommand();
        options.AddTo(command);
        return (options, command.Parse(args));
    }
}
