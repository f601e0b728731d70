using System.Text.Json;
using SegAN.Cli;
using SegAN.Tests.Evaluation;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

/// <summary><c>segan evaluate --lesion-wise</c> through the fake console.</summary>
public sealed class LesionWiseCommandTests : IDisposable
{
    private readonly EvaluationFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Evaluate_LesionWise_AddsColumnsTablesAndSummaryEntries()
    {
        // Given a 2024 truth with an 8x8x4 tumour (ET core, resection cavity beside) and a prediction of it plus a stray lesion
        int[] shape = [20, 20, 10];
        var truth = new float[20 * 20 * 10];
        var prediction = new float[truth.Length];
        for (var z = 1; z < 5; z++)
        {
            for (var y = 2; y < 10; y++)
            {
                for (var x = 2; x < 10; x++)
                {
                    var i = x + (20 * (y + (20 * z)));
                    truth[i] = prediction[i] = x is > 4 and < 8 ? 3 : 2;
                    truth[i + 10] = 4; // the cavity, in no region
                }
            }
        }

        prediction[19 + (20 * (19 + (20 * 9)))] = 2;
        _files.WriteTruth("BraTS-GLI-00001-100", EvaluationFixture.LabelMap(shape, [1, 1, 1], truth));
        _files.WritePrediction("BraTS-GLI-00001-100.nii.gz", EvaluationFixture.LabelMap(shape, [1, 1, 1], prediction));
        var console = new TestConsole();
        console.Profile.Width = 200;

        // When evaluating lesion-wise with the 2024 labels
        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "--labels", "brats2024-gli", "--lesion-wise", "--html", "-o", _files.Report], console);

        // Then WT has one lesion found and one false positive (Dice (1 + 0) / 2, HD95 (0 + 374) / 2); ET has no false positive
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("lesion-wise (gli)", console.Output, StringComparison.Ordinal);
        var csv = File.ReadAllLines(Path.Combine(_files.Report, "cases.csv"));
        Assert.EndsWith("lesion_dice,lesion_hd95,lesion_tp,lesion_fp,lesion_fn", csv[0], StringComparison.Ordinal);
        Assert.EndsWith(",0.5,187,1,1,0", csv[1], StringComparison.Ordinal);
        Assert.EndsWith(",1,0,1,0,0", csv[3], StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_files.Report, "summary.json")));
        Assert.Equal("brats2024-gli", json.RootElement.GetProperty("labels").GetString());
        Assert.Equal("gli", json.RootElement.GetProperty("lesion_wise").GetProperty("challenge").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("regions").GetProperty("WT").GetProperty("lesion_fp").GetInt32());
        Assert.Contains("Lesion-wise Dice", File.ReadAllText(Path.Combine(_files.Report, "summary.md")), StringComparison.Ordinal);
        Assert.Contains("<h2>Lesion-wise (BraTS gli)</h2>", File.ReadAllText(Path.Combine(_files.Report, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnknownChallenge_ExitsWithOneLineNamingIt()
    {
        _files.WriteTruth("a", EvaluationFixture.LabelMap(new float[24]));
        _files.WritePrediction("a_seg.nii.gz", EvaluationFixture.LabelMap(new float[24]));
        var console = new TestConsole();
        console.Profile.Width = 1000;

        var code = SeganApp.Run(["evaluate", "--pred", _files.Predictions, "--truth", _files.Truth, "--challenge", "xyz", "-o", _files.Report], console);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--challenge 'xyz' is not one of gli, ssa, men, ped, met.", console.Output, StringComparison.Ordinal);
    }
}
