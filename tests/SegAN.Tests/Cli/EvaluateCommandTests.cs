using System.Text.Json;
using SegAN.Cli;
using SegAN.Tests.Evaluation;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly EvaluationFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Evaluate_WritesReportFiles_PrintsTable_AndListsMissingCases()
    {
        // Given truths for a and b, a prediction for a (one voxel of ET missed) and for an unknown case x
        var truth = EvaluationFixture.LabelMap(0, 2, 2, 0, 0, 1, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        var prediction = EvaluationFixture.LabelMap(0, 2, 2, 0, 0, 1, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _files.WriteTruth("a", truth);
        _files.WriteTruth("b", truth);
        _files.WritePrediction("a_seg.nii.gz", prediction);
        _files.WritePrediction("x_seg.nii.gz", prediction);
        var console = new TestConsole();
        console.Profile.Width = 200;

        // When running segan evaluate
        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "--labels", "brats2021", "-o", _files.Report], console);

        // Then it succeeds, prints the table and the missing cases, and writes the three files
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Dice", console.Output, StringComparison.Ordinal);
        Assert.Contains("missing predictions (1): b", console.Output, StringComparison.Ordinal);
        Assert.Contains("missing truths (1): x", console.Output, StringComparison.Ordinal);
        var csv = File.ReadAllLines(Path.Combine(_files.Report, "cases.csv"));
        Assert.Equal("case,region,dice,precision,sensitivity,specificity,hd95", csv[0]);
        Assert.Equal("a,WT,1,1,1,1,0", csv[1]);
        // ET: truth {6, 7}, prediction {6}: Dice 2/3
        Assert.StartsWith("a,ET,0.666667,1,0.5,", csv[3], StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_files.Report, "summary.json")));
        Assert.Equal("b", json.RootElement.GetProperty("missing_predictions")[0].GetString());
        Assert.Equal("x", json.RootElement.GetProperty("missing_truths")[0].GetString());
        Assert.True(File.Exists(Path.Combine(_files.Report, "summary.md")));
    }

    [Fact]
    public void Evaluate_ShapeMismatch_ExitsTwo_WithOneLineNamingBothFiles()
    {
        _files.WriteTruth("a", EvaluationFixture.LabelMap(new float[24]));
        _files.WritePrediction("a_seg.nii.gz", EvaluationFixture.LabelMap([2, 3, 4], [1, 1, 1], new float[24]));
        var console = new TestConsole();
        console.Profile.Width = 1000;

        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "-o", _files.Report], console);

        Assert.Equal(ExitCodes.Usage, code);
        var lines = console.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("a_seg.nii.gz", lines[0], StringComparison.Ordinal);
        Assert.Contains("a_seg.nii.gz", lines[0][(lines[0].IndexOf("truth", StringComparison.Ordinal))..], StringComparison.Ordinal);
        Assert.False(Directory.Exists(_files.Report));
    }

    [Fact]
    public void Evaluate_Html_WritesASelfContainedReport()
    {
        var truth = EvaluationFixture.LabelMap(0, 2, 2, 0, 0, 1, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _files.WriteTruth("a", truth);
        _files.WritePrediction("a_seg.nii.gz", truth);
        var console = new TestConsole();
        console.Profile.Width = 200;

        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "-o", _files.Report, "--html"], console);

        Assert.Equal(ExitCodes.Ok, code);
        var html = File.ReadAllText(Path.Combine(_files.Report, "report.html"));
        Assert.Contains("data:image/png;base64,", html, StringComparison.Ordinal);
        Assert.Contains("report.html", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MissingRunFolder_ExitsTwo_BeforeWritingAnything()
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var run = Path.Combine(_files.Root, "no-run");

        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "-o", _files.Report, "--run", run], console);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no-run", console.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_files.Report));
    }

    [Fact]
    public void Evaluate_Json_PrintsTheSummary()
    {
        var truth = EvaluationFixture.LabelMap(0, 2, 2, 0, 0, 1, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _files.WriteTruth("a", truth);
        _files.WritePrediction("a.nii.gz", truth);
        var console = new TestConsole();

        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "-o", _files.Report, "--json"], console);

        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(console.Output);
        Assert.Equal(1.0, json.RootElement.GetProperty("regions").GetProperty("ET").GetProperty("dice").GetProperty("mean").GetDouble());
    }

    [Fact]
    public void Evaluate_ZeroJobs_ExitsTwo_NamingTheOption()
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "-o", _files.Report, "--jobs", "0"], console);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--jobs: parallel cases 0 must be at least 1", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnknownLabelConvention_ExitsTwo()
    {
        var console = new TestConsole();
        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "--labels", "brats1999", "-o", _files.Report], console);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("brats1999", console.Output, StringComparison.Ordinal);
    }
}
