using System.Text.Json;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Metrics;

namespace SegAN.Tests.Evaluation;

public sealed class EvaluationReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segan-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_ProducesCsvJsonAndMarkdown_WithTheDocumentedShape()
    {
        // Given two cases with known scores
        var result = EvaluationResult.Create(
            LabelConvention.Brats2021,
            [Case("a", 0.5, 10), Case("b", 1.0, 2)],
            ["c"],
            []);

        // When writing the report
        var paths = EvaluationReport.Write(result, new DirectoryInfo(Path.Combine(_dir, "out")));

        // Then cases.csv has the exact header and one row per case and region
        var csv = File.ReadAllLines(paths[0]);
        Assert.Equal("case,region,dice,precision,sensitivity,specificity,hd95", csv[0]);
        Assert.Equal(7, csv.Length);
        Assert.Equal("a,WT,0.5,0.25,0.75,0.99,10", csv[1]);
        Assert.StartsWith("b,ET,1,", csv[6], StringComparison.Ordinal);

        // And summary.json has per-region statistics and the missing case
        using var json = JsonDocument.Parse(File.ReadAllText(paths[1]));
        var dice = json.RootElement.GetProperty("regions").GetProperty("WT").GetProperty("dice");
        Assert.Equal(0.75, dice.GetProperty("mean").GetDouble(), 9);
        Assert.Equal(0.75, dice.GetProperty("median").GetDouble(), 9);
        Assert.Equal(0.25, dice.GetProperty("std").GetDouble(), 9);
        Assert.Equal(0.5, dice.GetProperty("min").GetDouble(), 9);
        Assert.Equal(6.0, json.RootElement.GetProperty("regions").GetProperty("ET").GetProperty("hd95").GetProperty("mean").GetDouble(), 9);
        Assert.Equal(0.75, json.RootElement.GetProperty("mean").GetProperty("dice").GetDouble(), 9);
        Assert.Equal("c", json.RootElement.GetProperty("missing_predictions")[0].GetString());
        Assert.Equal(0, json.RootElement.GetProperty("missing_truths").GetArrayLength());
        Assert.Equal(2, json.RootElement.GetProperty("cases_evaluated").GetInt32());

        // And summary.md is a Markdown table with a row per region
        var md = File.ReadAllText(paths[2]);
        Assert.Contains("| Region | Dice | Precision | Sensitivity | Specificity | HD95 |", md, StringComparison.Ordinal);
        Assert.Contains("| WT | 0.750 ± 0.250 (0.750)", md, StringComparison.Ordinal);
        Assert.Contains("Missing predictions: c", md, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_WritesNull_ForStatisticsWithoutCases()
    {
        var result = EvaluationResult.Create(LabelConvention.Brats2023, [], ["a"], []);

        using var json = JsonDocument.Parse(EvaluationReport.ToJson(result));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("regions").GetProperty("TC").GetProperty("dice").GetProperty("mean").ValueKind);
        Assert.Equal("brats2023", json.RootElement.GetProperty("labels").GetString());
    }

    private static CaseEvaluation Case(string name, double dice, double hd95) => new(
        name,
        $"{name}_pred",
        $"{name}_truth",
        [.. LabelNames.Regions.Select(r => new RegionScores(r, new SegmentationScores(dice, dice / 2, 0.75, 0.99, hd95)))]);
}
