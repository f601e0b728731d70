using System.Globalization;
using System.Text.Json;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Distributed;
using SegAN.Evaluation;
using SegAN.Imaging;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;
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

    /// <summary>Not finished: the experiment was interrupted before or during it, or it has not been started.</summary>
    Pending,

    /// <summary>Being trained or evaluated by another process (an array task): its lock file is held.</summary>
    Running,
}

/// <summary>One (variant, seed) of an experiment's plan; <see cref="Name"/> is its folder below <c>runs/</c>.</summary>
public sealed record PlannedRun(Variant Variant, int Seed)
{
    /// <summary><c>VARIANT/seed-N</c>.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{Variant.CliName()}/seed-{Seed}");
}

/// <summary>What <see cref="ExperimentRunner.RunTask"/> did: the task, its runs, whether it was interrupted.</summary>
public sealed record ExperimentTaskResult(ShardSpec Task, IReadOnlyList<ExperimentRun> Runs, bool Interrupted)
{
    /// <summary>Whether every run of the task has test scores.</summary>
    public bool Complete => Runs.All(r => r.IsFinished);
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

    /// <summary><c>mean ± std</c> with three decimals (the mean with its sign when <paramref name="withSign"/>); "n/a" for the deviation of one seed, "-" without a value.</summary>
    public string ToText(bool withSign = false) => !double.IsFinite(Mean)
        ? "-"
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{Mean.ToString(withSign ? "+0.000;-0.000" : "F3", CultureInfo.InvariantCulture)} ± {(double.IsFinite(Std) ? Std.ToString("F3", CultureInfo.InvariantCulture) : "n/a")}");
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

    /// <summary>In a run folder: the lock a process holds while it trains or evaluates the run (never deleted).</summary>
    public const string LockFileName = RunLock.FileName;

    /// <summary>In a run folder: why the run diverged (removed when it is retried).</summary>
    public const string DivergedFileName = "diverged.txt";

    /// <summary>In a run folder: versions, CPU and threads of the process that evaluated the run.</summary>
    public const string SystemFileName = "system.json";

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

    /// <summary>
    /// The runs in order: every variant (in <see cref="ExperimentOptions.VariantsOrDefault"/>'s order) with seeds
    /// 0..Seeds-1. Array task K of N takes the runs at positions K, K+N, K+2N, ... of this list.
    /// </summary>
    public static IReadOnlyList<PlannedRun> Plan(ExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. options.VariantsOrDefault.SelectMany(v => Enumerable.Range(0, options.Seeds).Select(s => new PlannedRun(v, s)))];
    }

    /// <summary>
    /// The array task of this process, from (first match wins): <paramref name="task"/> (<c>--task K</c>, with
    /// <paramref name="tasks"/> or else one task per run); a Slurm job array's <c>SLURM_ARRAY_TASK_ID</c> or a
    /// Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c> (as <see cref="ShardSpec.Resolve"/>, with
    /// <paramref name="tasks"/> as the number of tasks). Null: no task, the whole experiment in this process.
    /// </summary>
    public static ShardSpec? ResolveTask(int? task, int? tasks, int planCount, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (task is { } k)
        {
            var count = tasks ?? planCount;
            if (count < 1)
            {
                throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"--tasks {count}: the number of tasks must be at least 1"));
            }

            return k >= 0 && k < count
                ? new ShardSpec(k, count)
                : throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"--task {k}: expected 0 to {count - 1} ({(tasks is null ? "one task per run of the plan" : "--tasks " + count)})"));
        }

        return ShardSpec.Resolve(null, tasks, environment);
    }

    /// <summary>Runs (or continues) the whole experiment and writes the report; <paramref name="log"/> hears one line per stage.</summary>
    public static ExperimentResult Run(
        ExperimentOptions options,
        DeviceSpec device,
        IProgress<string>? log = null,
        IProgress<TrainProgress>? training = null,
        CancellationToken cancellation = default)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var session = Start(options, device, log, training, cancellation);
        var (runs, interrupted) = RunPlanned(session, Plan(options));
        var summaries = Summarise(options.VariantsOrDefault, runs);
        var paths = ExperimentReport.Write(session.Root, options, session.Split, runs, summaries, session.System, watch.Elapsed);
        log?.Report($"report: {paths.Markdown}");
        return new ExperimentResult(session.Root, session.Split, runs, summaries, interrupted, paths.Markdown, paths.Json, paths.Chart, watch.Elapsed);
    }

    /// <summary>
    /// Runs one array task's share of the experiment (<see cref="Plan"/>'s positions <c>task.Index</c>,
    /// <c>task.Index + task.Count</c>, ...) in the shared experiment folder. It writes no report: when the tasks are
    /// done, <see cref="Report"/> merges every finished run. Safe beside other tasks and a whole-experiment process:
    /// each run is trained under its lock file, and a run another process holds is reported <see cref="RunState.Running"/>.
    /// </summary>
    public static ExperimentTaskResult RunTask(
        ExperimentOptions options,
        ShardSpec task,
        DeviceSpec device,
        IProgress<string>? log = null,
        IProgress<TrainProgress>? training = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var session = Start(options, device, log, training, cancellation);
        var plan = Plan(options);
        var mine = plan.Where((_, i) => i % task.Count == task.Index).ToList();
        log?.Report(mine.Count == 0
            ? $"task {task}: no run (the plan has {plan.Count}); nothing to do"
            : $"task {task}: {string.Join(", ", mine.Select(r => r.Name))}");
        var (runs, interrupted) = RunPlanned(session, mine);
        return new ExperimentTaskResult(task, runs, interrupted);
    }

    /// <summary>
    /// Merges whatever has finished in the experiment folder into the report (<c>segan experiment --report</c>),
    /// training nothing: finished runs are read from their evaluation summaries; the others are listed as running
    /// (lock held), diverged, or pending with the step they reached. The versions printed are those recorded by
    /// the runs (<c>system.json</c> in each run folder).
    /// </summary>
    public static ExperimentResult Report(ExperimentOptions options, IProgress<string>? log = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (root, split) = Prepare(options, log);
        var runs = Plan(options).Select(p => Inspect(options, p, RunFolder(root, p.Variant, p.Seed))).ToList();
        var systems = runs.Where(r => r.IsFinished).Select(r => ReadSystem(Path.Combine(r.Folder, SystemFileName))).OfType<SystemInfo>().ToList();
        var summaries = Summarise(options.VariantsOrDefault, runs);
        var paths = ExperimentReport.Write(root, options, split, runs, summaries, systems, watch.Elapsed);
        log?.Report(string.Create(CultureInfo.InvariantCulture, $"merged {runs.Count(r => r.IsFinished)} finished run(s) of {runs.Count}; report: {paths.Markdown}"));
        return new ExperimentResult(root, split, runs, summaries, Interrupted: false, paths.Markdown, paths.Json, paths.Chart, watch.Elapsed);
    }

    /// <summary>Where a run stands on disk, without touching it.</summary>
    public static ExperimentRun Inspect(ExperimentOptions options, PlannedRun run, string folder)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(run);
        var checkpoint = CheckpointPath(folder);
        if (File.Exists(SummaryPath(folder)))
        {
            return Finished(run, folder);
        }

        if (Directory.Exists(folder))
        {
            using var held = RunLock.TryAcquire(folder);
            if (held is null)
            {
                return HeldElsewhere(run, folder);
            }
        }

        var diverged = Path.Combine(folder, DivergedFileName);
        if (File.Exists(diverged))
        {
            return new ExperimentRun(run.Variant, run.Seed, folder, RunState.Diverged, TrainSeconds(checkpoint), null, File.ReadAllText(diverged).Trim());
        }

        return File.Exists(checkpoint)
            ? Pending(run, folder, string.Create(CultureInfo.InvariantCulture, $"trained to step {Checkpoint.ReadState(checkpoint).Step} of {options.Steps}"))
            : Pending(run, folder, "not started");
    }

    private static (string Root, ExperimentSplit Split) Prepare(ExperimentOptions options, IProgress<string>? log)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
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
        log?.Report($"{cases.Count} cases: {split.Train.Count} to train on (validation split inside each run), {split.Test.Count} held out for testing");
        return (root, split);
    }

    /// <summary>Prepares the experiment folder and the device: what every run of this process shares.</summary>
    private static Session Start(
        ExperimentOptions options,
        DeviceSpec device,
        IProgress<string>? log,
        IProgress<TrainProgress>? training,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(device);
        var (root, split) = Prepare(options, log);
        var torchDevice = device.Resolve();
        return new Session(options, root, split, device, torchDevice, SystemInfo.Collect(torchDevice), log, training, cancellation);
    }

    private static (List<ExperimentRun> Runs, bool Interrupted) RunPlanned(Session session, IReadOnlyList<PlannedRun> plan)
    {
        var runs = new List<ExperimentRun>();
        var interrupted = false;
        for (var i = 0; i < plan.Count; i++)
        {
            var run = plan[i];
            var folder = RunFolder(session.Root, run.Variant, run.Seed);
            var label = string.Create(CultureInfo.InvariantCulture, $"[{i + 1}/{plan.Count}] {run.Variant.CliName()} seed {run.Seed}");
            if (interrupted)
            {
                runs.Add(Pending(run, folder, "not started (interrupted)"));
                continue;
            }

            try
            {
                var result = RunOne(session, run, folder, label);
                runs.Add(result);
                interrupted = result.State == RunState.Pending;
            }
            catch (OperationCanceledException)
            {
                session.Log?.Report($"{label}: interrupted");
                runs.Add(Pending(run, folder, "interrupted"));
                interrupted = true;
            }
        }

        return (runs, interrupted);
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

    private static ExperimentRun RunOne(Session session, PlannedRun run, string folder, string label)
    {
        var summary = SummaryPath(folder);
        if (File.Exists(summary))
        {
            session.Log?.Report($"{label}: finished earlier, reusing {summary}");
            return Finished(run, folder);
        }

        session.Cancellation.ThrowIfCancellationRequested();
        Directory.CreateDirectory(folder);
        using var held = RunLock.TryAcquire(folder);
        if (held is null)
        {
            session.Log?.Report($"{label}: in progress in another process (its {LockFileName} is held); skipped");
            return HeldElsewhere(run, folder);
        }

        if (File.Exists(summary))
        {
            // Finished by the process that held the lock a moment ago.
            session.Log?.Report($"{label}: finished by another process, reusing {summary}");
            return Finished(run, folder);
        }

        return RunLocked(session, run, folder, label);
    }

    private static ExperimentRun RunLocked(Session session, PlannedRun run, string folder, string label)
    {
        var (options, split, log) = (session.Options, session.Split, session.Log);
        var trainFolder = Path.Combine(folder, "train");
        var evaluationFolder = Path.Combine(folder, "evaluation");
        var checkpoint = CheckpointPath(folder);
        var diverged = Path.Combine(folder, DivergedFileName);

        // A process killed mid-write leaves its temporary files (never under a final name); under the lock no other
        // process writes here, so they can go.
        foreach (var stale in Directory.EnumerateFiles(folder, ".*.tmp", SearchOption.AllDirectories))
        {
            File.Delete(stale);
        }

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
            File.Delete(diverged);
            var result = DatasetTraining.Run(
                options.TrainOptionsFor(run.Variant, run.Seed, trainFolder, resume),
                options.TrainingData(),
                split.Train,
                session.TorchDevice,
                session.Training,
                cancellationToken: session.Cancellation);
            if (File.Exists(Path.Combine(trainFolder, Trainer.MetricsFileName)))
            {
                TrainingCurves.WriteForRun(trainFolder);
            }

            switch (result.Status)
            {
                case TrainStatus.Cancelled:
                    log?.Report($"{label}: interrupted at step {result.Step}; run the same command again to continue");
                    return Pending(run, folder, $"interrupted at step {result.Step}");
                case TrainStatus.Diverged:
                    log?.Report($"{label}: diverged: {result.Message}");
                    AtomicFile.Write(diverged, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes((result.Message ?? "diverged") + "\n")));
                    return new ExperimentRun(run.Variant, run.Seed, folder, RunState.Diverged, TrainSeconds(checkpoint), null, result.Message);
            }
        }

        log?.Report($"{label}: segmenting and scoring {split.Test.Count} test cases");
        var evaluation = PredictAndEvaluate(options, split.Test, trainFolder, Path.Combine(folder, "predictions"), session.Device, session.Cancellation);

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

        // The system goes in before the marker, so that every finished run has one.
        WriteSystem(Path.Combine(folder, SystemFileName), session.System);
        Directory.Move(staging, evaluationFolder);
        var scores = ReadScores(SummaryPath(folder));
        log?.Report(string.Create(
            CultureInfo.InvariantCulture,
            $"{label}: test Dice WT {scores[0].Dice:F3} TC {scores[1].Dice:F3} ET {scores[2].Dice:F3}"));
        return new ExperimentRun(run.Variant, run.Seed, folder, RunState.Evaluated, TrainSeconds(checkpoint), scores, null);
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

    private static void WriteSystem(string path, SystemInfo system) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, system, SystemInfo.JsonOptions));

    /// <summary>The system a run recorded, or null when it has none (runs from before it was recorded) or it is unreadable.</summary>
    internal static SystemInfo? ReadSystem(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<SystemInfo>(File.ReadAllText(path), SystemInfo.JsonOptions) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ExperimentRun Pending(PlannedRun run, string folder, string message) =>
        new(run.Variant, run.Seed, folder, RunState.Pending, double.NaN, null, message);

    private static ExperimentRun Finished(PlannedRun run, string folder) =>
        new(run.Variant, run.Seed, folder, RunState.Reused, TrainSeconds(CheckpointPath(folder)), ReadScores(SummaryPath(folder)), null);

    private static ExperimentRun HeldElsewhere(PlannedRun run, string folder) =>
        new(run.Variant, run.Seed, folder, RunState.Running, TrainSeconds(CheckpointPath(folder)), null, "in progress in another process");

    /// <summary>A run's evaluation summary: the marker of a finished run.</summary>
    private static string SummaryPath(string folder) => Path.Combine(folder, "evaluation", EvaluationReport.SummaryJsonFile);

    private static string CheckpointPath(string folder) => Path.Combine(folder, "train", Checkpoint.FileName);

    /// <summary>What every run of one process shares: the experiment, its folder and split, the device, the system, the listeners.</summary>
    private sealed record Session(
        ExperimentOptions Options,
        string Root,
        ExperimentSplit Split,
        DeviceSpec Device,
        TorchSharp.torch.Device TorchDevice,
        SystemInfo System,
        IProgress<string>? Log,
        IProgress<TrainProgress>? Training,
        CancellationToken Cancellation);

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

        if (!WriteJsonNew(path, json => json.WriteString("settings", fingerprint)))
        {
            // Another task created it at the same moment: check ours against it.
            CheckSettings(root, options);
        }
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

        var created = WriteJsonNew(path, json =>
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
        if (!created)
        {
            CheckOrWriteSplit(root, options, split);
        }
    }

    /// <summary>Writes one JSON object atomically unless the file exists (another process wrote it); false then.</summary>
    private static bool WriteJsonNew(string path, Action<Utf8JsonWriter> body) => AtomicFile.WriteNew(path, JsonObject(body));

    /// <summary>Writes one JSON object atomically.</summary>
    internal static void WriteJson(string path, Action<Utf8JsonWriter> body) => AtomicFile.Write(path, JsonObject(body));

    private static Action<Stream> JsonObject(Action<Utf8JsonWriter> body) => stream =>
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        body(json);
        json.WriteEndObject();
    };
}
