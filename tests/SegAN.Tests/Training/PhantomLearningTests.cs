using System.Globalization;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Inference;
using SegAN.Tests.Data;
using SegAN.Training;
using Xunit.Abstractions;

namespace SegAN.Tests.Training;

/// <summary>
/// The acceptance: on synthetic phantoms, a short CPU training run beats the best that thresholding a single
/// modality can do, on held-out cases. The threshold baseline is an oracle: for each modality, each region gets the
/// threshold (and direction) that is best on the held-out cases themselves.
/// </summary>
public sealed class PhantomLearningTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 48;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-learning-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void ShortTraining_OnPhantoms_BeatsTheBestSingleModalityThreshold()
    {
        // Given training phantoms and held-out phantoms drawn from another seed
        var train = new DirectoryInfo(Path.Combine(_root.FullName, "train"));
        var test = new DirectoryInfo(Path.Combine(_root.FullName, "test"));
        PhantomGenerator.WriteDataset(train, 8, new PhantomOptions(Size, Seed: 21));
        PhantomGenerator.WriteDataset(test, 3, new PhantomOptions(Size, Seed: 4021));

        // When S3-3C trains briefly (the demo's recipe at a smaller size) and segments the held-out cases
        var run = Path.Combine(_root.FullName, "run");
        var options = new TrainOptions(run, Variant.S3_3C, Steps: 300, BatchSize: 16, LearningRate: 2e-4, Optimizer: OptimizerKind.Adam, ValEvery: 100, Seed: 1, Depth: 4, BaseWidth: 16);
        var data = new DatasetTrainingOptions(train, DatasetPresets.Layout(DatasetPreset.Brats2021), PreprocessOptions.Paper with { CropX = Size, CropY = Size, CropZ = Size }, SliceSize: Size);
        var result = DatasetTraining.Run(options, data);
        Assert.Equal(TrainStatus.Completed, result.Status);

        var model = Path.Combine(run, ModelFile.FileName);
        var info = SegmentationModelInfo.Read(model);
        var predictions = Path.Combine(_root.FullName, "pred");
        using (var engine = EngineFactory.Open(model, EngineKind.Torch, SegAN.Compute.DeviceSpec.Cpu, 0))
        {
            var cases = DatasetDiscovery.Discover(test, DatasetPresets.Layout(DatasetPreset.Brats2021, info.Modalities), requireLabels: false);
            DatasetPredictor.Run(new CasePredictor(engine, InferenceRecipe.From(info.Header, model), new PredictOptions()), cases, predictions, new PredictOptions());
        }

        var evaluation = FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(predictions), test));
        var trained = evaluation.Regions.Select(r => r.Dice.Mean).ToArray();

        // And each single modality's best thresholds are found on the same held-out cases
        var baseline = BestSingleModalityThresholds(test);
        var bestModality = baseline.MaxBy(b => b.Value.Average());

        // Then the trained model's mean Dice is clearly above the best single modality's
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained S3-3C (300 steps, {result.Message}): WT {trained[0]:F3} TC {trained[1]:F3} ET {trained[2]:F3} mean {trained.Average():F3}"));
        foreach (var (modality, dice) in baseline)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best threshold on {modality,-5}: WT {dice[0]:F3} TC {dice[1]:F3} ET {dice[2]:F3} mean {dice.Average():F3}"));
        }

        Assert.True(
            trained.Average() > bestModality.Value.Average() + 0.1,
            string.Create(CultureInfo.InvariantCulture, $"trained mean Dice {trained.Average():F3} is not clearly above {bestModality.Key}'s best thresholds {bestModality.Value.Average():F3}"));
    }

    private static Dictionary<string, double[]> BestSingleModalityThresholds(DirectoryInfo dataset)
    {
        string[] names = ["T1", "T1c", "T2", "FLAIR"];
        var cases = DatasetDiscovery.Discover(dataset, DatasetPresets.Layout(DatasetPreset.Brats2021, names));
        var result = new Dictionary<string, double[]>();
        for (var m = 0; m < names.Length; m++)
        {
            var values = new List<float>();
            var bits = new List<byte>();
            foreach (var c in cases)
            {
                var volumes = CaseLoader.Load(c);
                var image = volumes.Modalities[m].Data;
                var regions = BratsLabels.ToRegions(volumes.Segmentation!.Data, LabelConvention.Brats2021, c.SegFile!);
                var n = image.Length;
                for (var i = 0; i < n; i++)
                {
                    // Head voxels only (air excluded), as in the phantom generator's own threshold test
                    if (volumes.Modalities[0].Data[i] != 0 || volumes.Modalities[2].Data[i] != 0)
                    {
                        values.Add(image[i]);
                        bits.Add((byte)(regions[i] | (regions[n + i] << 1) | (regions[(2 * n) + i] << 2)));
                    }
                }
            }

            result[names[m]] = [.. Enumerable.Range(0, 3).Select(r => ThresholdDice.Best([.. values], [.. bits], r))];
        }

        return result;
    }
}
