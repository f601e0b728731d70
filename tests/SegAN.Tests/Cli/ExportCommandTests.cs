using SegAN.Cli;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Tests.Export;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class ExportCommandTests
{
    [Fact]
    public void Export_WritesOnnxAndTritonRepository()
    {
        // Given a saved model
        using var folder = new TempFolder();
        var model = ExportTestModels.SaveModel(folder.Path, Variant.S3_3C);
        var onnx = folder.File("out/model.onnx");
        var triton = folder.File("repo");
        var console = new TestConsole();
        console.Profile.Width = 400;

        // When segan export runs with -o, --opset and --triton
        var code = SeganApp.Run(["export", "-m", model, "-o", onnx, "--opset", "13", "--triton", triton, "--triton-name", "brats"], console);

        // Then it succeeds, reports both destinations, and the files are SegAN ONNX models
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("opset 13", console.Output, StringComparison.Ordinal);
        Assert.Contains(onnx, console.Output, StringComparison.Ordinal);
        Assert.Equal(["t1", "t2"], SegmentationModelInfo.Read(onnx).Modalities);
        Assert.True(File.Exists(Path.Combine(triton, "brats", "config.pbtxt")));
        Assert.Equal(["t1", "t2"], SegmentationModelInfo.Read(Path.Combine(triton, "brats", "1", "model.onnx")).Modalities);
    }

    [Fact]
    public void Export_MissingModel_ExitsTwoWithOneLineNamingTheFile()
    {
        using var folder = new TempFolder();
        var console = new TestConsole();
        console.Profile.Width = 400;
        var missing = folder.File("none.segan");

        var code = SeganApp.Run(["export", "-m", missing, "-o", folder.File("x.onnx")], console);

        Assert.Equal(ExitCodes.Usage, code);
        var lines = console.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(missing, lines[0], StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("x.onnx")));
    }

    [Fact]
    public void Export_NotAModelFile_ExitsTwo()
    {
        using var folder = new TempFolder();
        var bogus = folder.File("model.segan");
        File.WriteAllText(bogus, "not a model");
        var console = new TestConsole();
        console.Profile.Width = 400;

        var code = SeganApp.Run(["export", "-m", bogus, "-o", folder.File("x.onnx")], console);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("SEGAN signature", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_UnsupportedOpset_ExitsTwo()
    {
        using var folder = new TempFolder();
        var model = ExportTestModels.SaveModel(folder.Path, Variant.S3_3C);
        var console = new TestConsole();
        console.Profile.Width = 400;

        var code = SeganApp.Run(["export", "-m", model, "-o", folder.File("x.onnx"), "--opset", "9"], console);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--opset: opset 9 is not supported", console.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("x.onnx")));
    }

    [Fact]
    public void Export_Help_StatesDefaults()
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var writer = new StringWriter();
        var root = SeganApp.Build(console);
        var parse = root.Parse(["export", "--help"]);
        parse.InvocationConfiguration.Output = writer;

        parse.Invoke();

        var help = writer.ToString();
        Assert.Contains("Default: 17", help, StringComparison.Ordinal);
        Assert.Contains("Default: segan", help, StringComparison.Ordinal);
        Assert.Contains("Default: 32", help, StringComparison.Ordinal);
    }
}
