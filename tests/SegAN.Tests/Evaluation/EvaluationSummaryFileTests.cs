using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Experiments;

namespace SegAN.Tests.Evaluation;

public sealed class EvaluationSummaryFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segan-summary-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // summary.json files written by `segan evaluate` before the record existed (its hand-coded Utf8JsonWriter):
    // a demo run's report, and a lesion-wise report whose numbers include an exponent (2.1E-05).
    private static string Fixture(string name)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "SegAN.slnx")))
        {
            folder = folder.Parent;
        }

        return Path.Combine(
            folder?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "SegAN.Tests", "Evaluation", "Fixtures", name);
    }

    [Theory]
    [InlineData("summary-demo.json")]
    [InlineData("summary-lesion-wise.json")]
    public void EvaluationSummaryFile_ReadAndWrittenAgain_GivesTheSameBytes(string name)
    {
        // Given a summary.json written by the hand-coded writer this record replaces
        var written = Fixture(name);

        // When it is read and written again
        var copy = Path.Combine(_dir, EvaluationSummaryFile.FileName);
        EvaluationSummaryFile.Read(written).Write(copy);

        // Then the bytes are the same
        Assert.Equal(File.ReadAllBytes(written), File.ReadAllBytes(copy));
    }

    [Fact]
    public void EvaluationSummaryFile_KeepsTheLesionWiseFields()
    {
        var summary = EvaluationSummaryFile.Read(Fixture("summary-lesion-wise.json"));

        Assert.Equal(new LesionWiseSettings("gli", 3, 50, LesionWiseSettings.Hd95Definition), summary.LesionWise);
        var wt = summary.Regions["WT"];
        Assert.Equal(2.1E-05, wt.LesionDice!.Mean);
        Assert.Equal(364.800824, wt.LesionHd95!.Max);
        Assert.Equal((1, 33, 1), (wt.LesionTruePositives, wt.LesionFalsePositives, wt.LesionFalseNegatives));
        Assert.NotNull(summary.Mean.LesionWise);
    }

    [Fact]
    public void ReadScores_ReadsTheMeansThroughTheRecord()
    {
        // Given the two committed summaries, one with lesion-wise scores and one without
        var lesionWise = EvaluationSummaryFile.Read(Fixture("summary-lesion-wise.json"));

        // When an experiment reads the scores of each
        var withLesions = ExperimentRunner.ReadScores(Fixture("summary-lesion-wise.json"));
        var without = ExperimentRunner.ReadScores(Fixture("summary-demo.json"));

        // Then each region's means are the record's, and lesion-wise means are NaN where the file has none
        Assert.Equal(LabelNames.Regions, withLesions.Select(r => r.Region));
        foreach (var scores in withLesions)
        {
            var region = lesionWise.Regions[scores.Region.ShortName()];
            Assert.Equal(region.Dice.Mean, scores.Dice);
            Assert.Equal(region.Precision.Mean, scores.Precision);
            Assert.Equal(region.Sensitivity.Mean, scores.Sensitivity);
            Assert.Equal(region.LesionDice!.Mean, scores.LesionDice);
            Assert.Equal(region.LesionHd95!.Mean, scores.LesionHd95);
        }

        Assert.Equal(0.897467, without[0].Dice);
        Assert.All(without, s => Assert.True(double.IsNaN(s.LesionDice) && double.IsNaN(s.LesionHd95)));
    }

    [Fact]
    public void EvaluationSummaryFile_LesionWiseWithoutCases_WritesNullMeansAndReadsThemBack()
    {
        // Given a lesion-wise evaluation that scored no case
        var result = EvaluationResult.Create(LabelConvention.Brats2023, [], ["a"], [], BratsChallenge.Gli);

        // When its summary is written and read back
        var path = Path.Combine(_dir, EvaluationSummaryFile.FileName);
        EvaluationSummaryFile.From(result).Write(path);
        var text = File.ReadAllText(path);
        var read = EvaluationSummaryFile.Read(path);

        // Then the lesion-wise means are present as null (told apart from absent) and survive the round trip
        Assert.Contains("\"lesion_dice\": null,\n    \"lesion_hd95\": null\n  },", text, StringComparison.Ordinal);
        Assert.Equal(new LesionMeans(null, null), read.Mean.LesionWise);
        var again = Path.Combine(_dir, "again.json");
        read.Write(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Theory]
    [InlineData("{\"labels\": \"brats2021\"}")]
    [InlineData("{\"labels\": \"brats2021\", \"cases_evaluated\": 1, \"regions\": {\"WT\": null}, \"mean\": {}, \"missing_predictions\": [], \"missing_truths\": []}")]
    [InlineData("[]")]
    public void EvaluationSummaryFile_NotASummary_IsAnErrorNamingTheFile(string json)
    {
        var path = Path.Combine(_dir, EvaluationSummaryFile.FileName);
        File.WriteAllText(path, json);

        var e = Assert.Throws<SegANException>(() => EvaluationSummaryFile.Read(path));

        Assert.StartsWith($"{path}: not an evaluation summary", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadScores_WithoutARegion_SaysToScoreTheRunAgain()
    {
        var path = Path.Combine(_dir, EvaluationSummaryFile.FileName);
        File.WriteAllText(path, "{\"labels\": \"brats2021\", \"cases_evaluated\": 1, \"regions\": {}, \"mean\": {}, \"missing_predictions\": [], \"missing_truths\": []}");

        var e = Assert.Throws<SegANException>(() => ExperimentRunner.ReadScores(path));

        Assert.Equal($"{path}: not an evaluation summary (no region WT); delete the run's evaluation folder to score it again", e.Message);
    }
}
