using SegAN.Compute;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;
using SegAN.Reporting;
using SegAN.Training;

namespace SegAN.Demo;

/// <summary>Where the demo left each of its products.</summary>
public sealed record DemoResult(
    string TrainData,
    string TestData,
    string RunFolder,
    string Predictions,
    string ReportFolder,
    string HtmlReport,
    TrainResult Training,
    EvaluationResult Evaluation,
    TimeSpan Elapsed);

/// <summary>
/// The whole SegAN.NET workflow on built-in synthetic data: synthesise BraTS-like phantoms, train a small SegAN,
/// segment held-out cases, evaluate them the BraTS way and write the HTML report. Each step is the same library
/// call the individual commands make.
/// </summary>
public static class DemoRunner
{
    /// <summary>Runs the demo; <paramref name="log"/> hears one line per stage.</summary>
    public static DemoResult Run(
        DemoOptions options,
        DeviceSpec device,
        IProgress<string>? log = null,
        IProgress<TrainProgress>? training = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var root = Path.GetFullPath(options.Out);
        var trainData = Path.Combine(root, "data", "train");
        var testData = Path.Combine(root, "data", "test");
        var run = Path.Combine(root, "run");
        var predictions = Path.Combine(root, "predictions");
        var reportFolder = Path.Combine(root, "report");
        if (File.Exists(Path.Combine(run, Checkpoint.FileName)))
        {
            throw new SegANException(Setting.Output, $"{run}: a demo already ran here; choose another output folder or delete the folder");
        }

        // Train and test phantoms come from different seeds: the test cases are new heads and tumours.
        var shape = options.Shape;
        log?.Report($"synthesising {options.TrainCases} training and {options.TestCases} test {options.Difficulty.ToString().ToLowerInvariant()} phantoms ({shape} voxels, 1 mm)");
        var phantoms = new PhantomOptions(options.Size, options.Seed, Difficulty: options.Difficulty, Shape: shape);
        PhantomGenerator.WriteDataset(new DirectoryInfo(trainData), options.TrainCases, phantoms);
        PhantomGenerator.WriteDataset(new DirectoryInfo(testData), options.TestCases, phantoms with { Seed = options.Seed + 1000 });

        var layout = DatasetPresets.Layout(DatasetPreset.Brats2021);
        var crop = options.Size;
        var trainOptions = new TrainOptions(
            run,
            options.Variant,
            Steps: options.Steps,
            BatchSize: 16,
            LearningRate: 2e-4,
            Optimizer: OptimizerKind.Adam,
            ValEvery: (int)Math.Max(1, options.Steps / 4),
            LogEvery: 10,
            Seed: options.Seed,
            Depth: 4,
            BaseWidth: 16).Validated();
        var data = new DatasetTrainingOptions(
            new DirectoryInfo(trainData),
            layout,
            PreprocessOptions.Default with { CropX = crop, CropY = crop, CropZ = shape.Z },
            SliceSize: crop).Validate();
        log?.Report($"training {options.Variant.CliName()} for {options.Steps} steps (batch 16, Adam 2e-4, depth 4, width 16, {crop}x{crop} slices)");
        var trained = DatasetTraining.Run(trainOptions, data, device.Resolve(), training, cancellationToken: cancellation);
        if (trained.Status != TrainStatus.Completed)
        {
            throw new SegANException($"training did not complete: {trained.Message}");
        }

        TrainingCurves.WriteForRun(run);

        log?.Report($"segmenting the {options.TestCases} held-out cases");
        var model = Path.Combine(run, ModelFile.FileName);
        var modalities = SegmentationModelInfo.Read(model).Modalities;
        var cases = DatasetDiscovery.Discover(new DirectoryInfo(testData), DatasetPresets.Layout(DatasetPreset.Brats2021, modalities), requireLabels: false);
        DatasetPredictor.RunAll(model, cases, predictions, device, cancellation);

        log?.Report("evaluating against the phantoms' truth and writing the report");
        var evaluation = FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(predictions), new DirectoryInfo(testData), LabelConvention.Brats2021));
        EvaluationReport.Write(evaluation, new DirectoryInfo(reportFolder));
        var html = Path.Combine(reportFolder, HtmlReport.FileName);
        HtmlReport.Write(html, evaluation, run, EvaluationOverlays.Render(evaluation), "SegAN.NET demo");
        return new DemoResult(trainData, testData, run, predictions, reportFolder, html, trained, evaluation, watch.Elapsed);
    }
}
