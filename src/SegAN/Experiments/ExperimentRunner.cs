using System.Globalization;
using System.Text.Json;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Imaging;
using SegAN.Inference;
using SegAN.Reporting;
using SegAN.Training;

namespace SegAN.Experiments;

/// <summary>Where one (variant, seed) run of an experiment stands.</summary>
public enum RunState
{
    /// <summary>Trained (or resumed), predicted and evaluated by this invocation.</summary>
    Evaluated,

    /// <summary>Finished by an earlier invocation (its evaluation summary was present); not retrained.</summary>
    Reused,

    /// <summary>A loss became NaN or infinite; not evaluated (a new invocation retries it from its last good checkpoint).</summary>
    Diverged,

    /// <summary>Not finished: the experiment was interrupted before or during it.</summary>
    Pending,
}

/// <summary>The test-set mean of Dice, precision and sensitivity of one region in one run.</summary>
public sealed record RegionMeans(Region Region, double Dice, double Precision, double Sensitivity);

/// <summary>One (variant, seed) run: its folder, state, training time and, once evaluated, its test-set means per region (WT, TC, ET).</summary>
public sealed record ExperimentRun(
    Variant Variant,
    int Seed,
    string Folder,
    RunState State,
    double TrainSeconds,
    IReadOnlyList<RegionMeans>? Scores,
    string? Message)
{
    /// <summary>Whether the run has test scores.</summary>
    public bool IsFinished => Scores is not null;
}

/// <summary>Mean and sample standard deviation (n - 1) over seeds; the deviation is NaN with fewer than two seeds.</summary>
public sealed record SeedStatistic(double Mean, double Std)
{
    /// <summary>Summarises <paramref name="values"/> (NaN mean when empty).</summary>
    public static SeedStatistic Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new SeedStatistic(double.NaN, double.NaN);
        }

        var mean = values.Average();
        var std = values.Count < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new SeedStatistic(mean, std);
    }
}

/// <summary>One region of one variant over its finished seeds.</summary>
public sealed record RegionAggregate(Region Region, SeedStatistic Dice, SeedStatistic Precision, SeedStatistic Sensitivity);

/// <summary>One variant over its finished seeds (regions WT, TC, ET), with the mean training time of a run.</summary>
public sealed record VariantSummary(Variant Variant, int FinishedSeeds, IReadOnlyList<RegionAggregate> Regions, double MeanTrainSeconds)
{
    /// <summary>The mean Dice over the three regions (NaN when no seed finished).</summary>
    public double MeanDice => Regions.Average(r => r.Dice.Mean);
}

/// <summary>The held-out test split of an experiment: the cases every run may train on, and the test cases none may.</summary>
public sealed record ExperimentSplit(IReadOnlyList<CaseFiles> Train, IReadOnlyList<CaseFiles> Test);

/// <summary>What <see cref="ExperimentRunner.Run"/> did and where it wrote the report.</summary>
public sealed record ExperimentResult(
    string Out,
    ExperimentSplit Split,
    IReadOnlyList<ExperimentRun> Runs,
    IReadOnlyList<VariantSummary> Variants,
    bool Interrupted,
    string ReportMarkdown,
    string ResultsJson,
    string Chart,
    TimeSpan Elapsed)
{
    /// <summary>Whether every run has test scores.</summary>
    public bool Complete => Runs.All(r => r.IsFinished);
}

/// <summary>
/// Reproduces the paper's comparison (Fig. 2, Table 1): holds out a seeded test set, trains every variant with every
/// seed on the remaining cases (each run splits them into training and validation as <c>segan train</c> does), segments
/// and scores the test cases with each run's best model, and writes <c>report.md</c>, <c>results.json</c> and
/// <c>dice_by_region.png</c>. The folder layout makes it resumable: <c>runs/VARIANT/seed-N/</c> holds <c>train/</c>
/// (the run folder), <c>predictions/</c> and <c>evaluation/</c>; a run whose <c>evaluation/summary.json</c> exists is
/// not retrained, and an interrupted one continues from its <c>last.ckpt</c>.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>The split file: the training-pool and test case names.</summary>
    public const string SplitFileName = "split.json";

    /// <summary>The settings file: what a resumed experiment must share with the original.</summary>
    public const string SettingsFileName = "settings.json";

    /// <summary>The run folder of <paramref name="variant"/> and <paramref name="seed"/> under <paramref name="root"/>.</summary>
    public static string RunFolder(string root, Variant variant, int seed) =>
        Path.Combine(root, "runs", variant.CliName(), string.Create(CultureInfo.InvariantCulture, $"seed-{seed}"));

    /// <summary>The seeded, group-stratified test split of <paramref name="cases"/> (the same for every run).</summary>
    public static ExperimentSplit SplitCases(IReadOnlyList<CaseFiles> cases, int seed, double testFraction)
    {
        var split = DatasetSplit.Create(cases, seed, testFraction);
        return new ExperimentSplit(
            [.. split.Train.OrderBy(c => c.Name, StringComparer.Ordinal)],
            [.. split.Validation.OrderBy(c => c.Name, StringComparer.Ordinal)]);
    }

    /// <summary>Runs (or continues) the experiment; <paramref name="log"/> hears one line per stage.</summary>
    public static ExperimentResult Run(
        ExperimentOptions options,
        DeviceSpec device,
        IProgress<string>? log = null,
        IProgress<TrainProgress>? training = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(device);
        options.Validate();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var root = Path.GetFullPath(options.Out);
        Directory.CreateDirectory(root);
        CheckSettings(root, options);

        var cases = DatasetDiscovery.Discover(options.Data, options.Layout);
        var split = SplitCases(cases, options.SplitSeed, options.TestFraction);
        if (split.Test.Count == 0 || split.Train.Count < 2)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{options.Data.FullName}: {cases.Count} cases give {split.Test.Count} test and {split.Train.Count} training cases with --test-fraction {options.TestFraction}; an experiment needs at least one test case and two to train on"));
        }

        CheckOrWriteSplit(root, options, split);
        var torchDevice = device.Resolve();
        var system = SystemInfo.Collect(torchDevice);
        log?.Report($"{cases.Count} cases: {split.Train.Count} to train on (validation split inside each run), {split.Test.Count} held out for testing");

        var plan = options.VariantsOrDefault.SelectMany(v => Enumerable.Range(0, options.Seeds).Select(s => (Variant: v, Seed: s))).ToList();
        var runs = new List<ExperimentRun>();
        var interrupted = false;
        for (var i = 0; i < plan.Count; i++)
        {
            var (variant, seed) = plan[i];
            var folder = RunFolder(root, variant, seed);
            var label = string.Create(CultureInfo.InvariantCulture, $"[{i + 1}/{plan.Count}] {variant.CliName()} seed {seed}");
            if (interrupted)
            {
                runs.Add(Pending(variant, seed, folder, "not started (interrupted)"));
                continue;
            }

            try
            {
                var run = RunOne(options, variant, seed, folder, split, device, torchDevice, label, log, training, cancellation);
                runs.Add(run);
                interrupted = run.State == RunState.Pending;
            }
            catch (OperationCanceledException)
            {
                log?.Report($"{label}: interrupted");
                runs.Add(Pending(variant, seed, folder, "interrupted"));
                interrupted = true;
            }
        }

        var summaries = Summarise(options.VariantsOrDefault, runs);
        var paths = ExperimentReport.Write(root, options, split, runs, summaries, system, watch.Elapsed);
        log?.Report($"report: {paths.Markdown}");
        return new ExperimentResult(root, split, runs, summaries, interrupted, paths.Markdown, paths.Json, paths.Chart, watch.Elapsed);
    }

    /// <summary>Each variant's statistics over its finished seeds.</summary>
    public static IReadOnlyList<VariantSummary> Summarise(IReadOnlyList<Variant> variants, IReadOnlyList<ExperimentRun> runs)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(runs);
        return [.. variants.Select(variant =>
        {
            var finished = runs.Where(r => r.Variant == variant && r.Scores is not null).ToList();
            var regions = LabelNames.Regions.Select((region, k) => new RegionAggregate(
                region,
                SeedStatistic.Of([.. finished.Select(r => r.Scores![k].Dice)]),
                SeedStatistic.Of([.. finished.Select(r => r.Scores![k].Precision)]),
                SeedStatistic.Of([.. finished.Select(r => r.Scores![k].Sensitivity)]))).ToList();
            return new VariantSummary(variant, finished.Count, regions, finished.Count == 0 ? double.NaN : finished.Average(r => r.TrainSeconds));
        })];
    }

    /// <summary>Reads a run's test-set means per region from its <c>evaluation/summary.json</c>.</summary>
    public static IReadOnlyList<RegionMeans> ReadScores(string summaryJson)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(summaryJson));
            var regions = document.RootElement.GetProperty("regions");
            return [.. LabelNames.Regions.Select(region =>
            {
                var r = regions.GetProperty(region.ShortName());
                return new RegionMeans(region, Mean(r, "dice"), Mean(r, "precision"), Mean(r, "sensitivity"));
            })];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new SegANException($"{summaryJson}: not an evaluation summary ({e.Message}); delete the run's evaluation folder to score it again", e);
        }

        static double Mean(JsonElement region, string metric) =>
            region.GetProperty(metric).GetProperty("mean") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : double.NaN;
    }

    private static ExperimentRun RunOne(
        ExperimentOptions options,
        Variant variant,
        int seed,
        string folder,
        ExperimentSplit split,
        DeviceSpec device,
        TorchSharp.torch.Device torchDevice,
        string label,
        IProgress<string>? log,
        IProgress<TrainProgress>? training,
        CancellationToken cancellation)
    {
        var trainFolder = Path.Combine(folder, "train");
        var evaluationFolder = Path.Combine(folder, "evaluation");
        var summary = Path.Combine(evaluationFolder, EvaluationReport.SummaryJsonFile);
        var checkpoint = Path.Combine(trainFolder, Checkpoint.FileName);
        if (File.Exists(summary))
        {
            log?.Report($"{label}: finished earlier, reusing {summary}");
            return new ExperimentRun(variant, seed, folder, RunState.Reused, TrainSeconds(checkpoint), ReadScores(summary), null);
        }

        cancellation.ThrowIfCancellationRequested();
        var trained = File.Exists(checkpoint) ? Checkpoint.ReadState(checkpoint).Step : 0;
        if (trained < options.Steps || !File.Exists(Path.Combine(trainFolder, ModelFile.FileName)))
        {
            var resume = File.Exists(checkpoint);
            if (!resume && Directory.Exists(trainFolder))
            {
                // Killed before its first checkpoint: nothing worth keeping, and stale metrics would be appended to.
                Directory.Delete(trainFolder, recursive: true);
            }

            log?.Report(resume
                ? string.Create(CultureInfo.InvariantCulture, $"{label}: resuming training at step {trained} of {options.Steps}")
                : string.Create(CultureInfo.InvariantCulture, $"{label}: training {options.Steps} steps"));
            Directory.CreateDirectory(folder);
            var result = DatasetTraining.Run(
                options.TrainOptionsFor(variant, seed, trainFolder, resume),
                options.TrainingData(),
                split.Train,
                torchDevice,
                training,
                cancellationToken: cancellation);
            if (File.Exists(Path.Combine(trainFolder, Trainer.MetricsFileName)))
            {
                TrainingCurves.WriteForRun(trainFolder);
            }

            switch (result.Status)
            {
                case TrainStatus.Cancelled:
                    log?.Report($"{label}: interrupted at step {result.Step}; run the same command again to continue");
                    return Pending(variant, seed, folder, $"interrupted at step {result.Step}");
                case TrainStatus.Diverged:
                    log?.Report($"{label}: diverged: {result.Message}");
                    return new ExperimentRun(variant, seed, folder, RunState.Diverged, TrainSeconds(checkpoint), null, result.Message);
            }
        }

        log?.Report($"{label}: segmenting and scoring {split.Test.Count} test cases");
        var evaluation = PredictAndEvaluate(options, split.Test, trainFolder, Path.Combine(folder, "predictions"), device, cancellation);

        // The summary is the finished-run marker: write the reports beside, then move the folder into place at once.
        var staging = evaluationFolder + ".tmp";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        EvaluationReport.Write(evaluation, new DirectoryInfo(staging));
        if (Directory.Exists(evaluationFolder))
        {
            Directory.Delete(evaluationFolder, recursive: true);
        }

        Directory.Move(staging, evaluationFolder);
        var scores = ReadScores(summary);
        log?.Report(string.Create(
            CultureInfo.InvariantCulture,
            $"{label}: test Dice WT {scores[0].Dice:F3} TC {scores[1].Dice:F3} ET {scores[2].Dice:F3}"));
        return new ExperimentRun(variant, seed, folder, RunState.Evaluated, TrainSeconds(checkpoint), scores, null);
    }

    private static EvaluationResult PredictAndEvaluate(
        ExperimentOptions options,
        IReadOnlyList<CaseFiles> test,
        string trainFolder,
        string predictions,
        DeviceSpec device,
        CancellationToken cancellation)
    {
        var model = Path.Combine(trainFolder, ModelFile.FileName);
        if (Directory.Exists(predictions))
        {
            Directory.Delete(predictions, recursive: true);
        }

        DatasetPredictor.RunAll(model, test, predictions, device, cancellation);

        var scored = test.Select(c => FolderEvaluator.EvaluateCase(
            c.Name,
            Path.Combine(predictions, DatasetPredictor.OutputName(c.Name)),
            c.SegFile ?? throw new SegANException($"{c.Directory}: test case {c.Name} has no segmentation"),
            options.Layout.Labels)).ToList();
        return EvaluationResult.Create(options.Layout.Labels, scored, [], []);
    }

    private static ExperimentRun Pending(Variant variant, int seed, string folder, string message) =>
        new(variant, seed, folder, RunState.Pending, double.NaN, null, message);

    private static double TrainSeconds(string checkpoint) =>
        File.Exists(checkpoint) ? Checkpoint.ReadState(checkpoint).Seconds : double.NaN;

    private static void CheckSettings(string root, ExperimentOptions options)
    {
        var path = Path.Combine(root, SettingsFileName);
        var fingerprint = options.Fingerprint();
        if (File.Exists(path))
        {
            string? saved;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                saved = document.RootElement.GetProperty("settings").GetString();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new SegANException($"{path}: unreadable experiment settings ({e.Message})", e);
            }

            if (!string.Equals(saved, fingerprint, StringComparison.Ordinal))
            {
                throw new SegANException(
                    $"{path}: this experiment was started with other settings ({saved}); continuing it with ({fingerprint}) would mix budgets. Use the same options or another --out");
            }

            return;
        }

        WriteJson(path, json =>
        {
            json.WriteString("settings", fingerprint);
        });
    }

    private static void CheckOrWriteSplit(string root, ExperimentOptions options, ExperimentSplit split)
    {
        var path = Path.Combine(root, SplitFileName);
        if (File.Exists(path))
        {
            List<string> savedTrain, savedTest;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                savedTrain = [.. document.RootElement.GetProperty("train").EnumerateArray().Select(e => e.GetString()!)];
                savedTest = [.. document.RootElement.GetProperty("test").EnumerateArray().Select(e => e.GetString()!)];
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new SegANException($"{path}: unreadable split ({e.Message})", e);
            }

            if (!savedTrain.SequenceEqual(split.Train.Select(c => c.Name)) || !savedTest.SequenceEqual(split.Test.Select(c => c.Name)))
            {
                throw new SegANException($"{path}: the dataset's cases no longer give the saved split (cases were added or removed); use another --out");
            }

            return;
        }

        WriteJson(path, json =>
        {
            json.WriteNumber("seed", options.SplitSeed);
            json.WriteNumber("test_fraction", options.TestFraction);
            json.WriteStartArray("train");
            split.Train.ToList().ForEach(c => json.WriteStringValue(c.Name));
            json.WriteEndArray();
            json.WriteStartArray("test");
            split.Test.ToList().ForEach(c => json.WriteStringValue(c.Name));
            json.WriteEndArray();
        });
    }

    /// <summary>Writes one JSON object atomically.</summary>
    internal static void WriteJson(string path, Action<Utf8JsonWriter> body) =>
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        });
}
