using System.Text.Json;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Experiments;
using SegAN.Models;
using SegAN.Training;

namespace SegAN.Tests.Experiments;

/// <summary>An experiment asked for the BraTS lesion-wise scores reports them beside the legacy figures.</summary>
public sealed class ExperimentLesionWiseTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-experiment-lesion-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Experiment_WithChallenge_ReportsLesionWiseDiceAndHd95()
    {
        // Given a tiny phantom experiment scored lesion-wise with the GLI parameters
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 4, new PhantomOptions(48, 6));
        var options = new ExperimentOptions(
            new DirectoryInfo(data),
            Path.Combine(_root.FullName, "exp"),
            DatasetPresets.Layout(DatasetPreset.Brats2021),
            [Variant.S3_1C],
            Seeds: 1,
            Steps: 2,
            BatchSize: 2,
            LearningRate: 1e-3,
            Optimizer: OptimizerKind.Adam,
            Depth: 2,
            BaseWidth: 4,
            SliceSize: 32,
            Preprocess: PreprocessOptions.Paper with { CropX = 40, CropY = 40, CropZ = 32 },
            ValEvery: 2,
            LesionWise: BratsChallenge.Gli);

        // When it runs
        var result = ExperimentRunner.Run(options, DeviceSpec.Cpu);

        // Then the run's scores, report.md and results.json carry the lesion-wise figures
        Assert.True(result.Complete);
        var scores = result.Runs[0].Scores!;
        Assert.All(scores, s => Assert.InRange(s.LesionDice, 0, 1));
        Assert.All(scores, s => Assert.InRange(s.LesionHd95, 0, LesionWiseMetrics.MissedHd95));
        Assert.Contains("lesion-wise Dice", File.ReadAllText(result.ReportMarkdown), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(options.Out, ExperimentReport.JsonFileName)));
        var wt = json.RootElement.GetProperty("variants")[0].GetProperty("regions").GetProperty("WT");
        Assert.True(wt.TryGetProperty("lesion_hd95", out _));
    }
}
