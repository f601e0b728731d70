using System.Globalization;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Distributed;
using SegAN.Evaluation;
using SegAN.Models;
using SegAN.Training;

namespace SegAN.Experiments;

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
    public const string SplitFileName = SplitFile.FileName;

    /// <summary>The settings file: what a resumed experiment must share with the original.</summary>
    public const string SettingsFileName = SettingsFile.FileName;

    /// <summary>In a run folder: the lock a process holds while it trains or evaluates the run (never deleted).</summary>
    public const string LockFileName = RunLock.FileName;

    /// <summary>In a run folder: why the run diverged (removed when it is retried).</summary>
    public const string DivergedFileName = "diverged.txt";

    /// <summary>In a run folder: versions, CPU and threads of the process that evaluated the run.</summary>
    public const string SystemFileName = SystemFile.FileName;

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
                throw new SegANException(Setting.Tasks, string.Create(CultureInfo.InvariantCulture, $"number of tasks {count} must be at least 1"));
            }

            return k >= 0 && k < count
                ? new ShardSpec(k, count)
                : throw new SegANException(Setting.Task, string.Create(CultureInfo.InvariantCulture, $"task {k}: expected 0 to {count - 1} ({(tasks is null ? "one task per run of the plan" : "of " + count + " tasks")})"));
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
        var systems = runs.Where(r => r.IsFinished).Select(r => SystemFile.Read(Path.Combine(r.Folder, SystemFileName))).OfType<SystemInfo>().ToList();
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
        var checkpoint = ExperimentRunExecution.CheckpointPath(folder);
        if (File.Exists(ExperimentRunExecution.SummaryPath(folder)))
        {
            return ExperimentRunExecution.Finished(run, folder);
        }

        if (Directory.Exists(folder))
        {
            using var held = RunLock.TryAcquire(folder);
            if (held is null)
            {
                return ExperimentRunExecution.HeldElsewhere(run, folder);
            }
        }

        var diverged = Path.Combine(folder, DivergedFileName);
        if (File.Exists(diverged))
        {
            return new ExperimentRun(run.Variant, run.Seed, folder, RunState.Diverged, ExperimentRunExecution.TrainSeconds(checkpoint), null, File.ReadAllText(diverged).Trim());
        }

        return File.Exists(checkpoint)
            ? ExperimentRunExecution.Pending(run, folder, string.Create(CultureInfo.InvariantCulture, $"trained to step {Checkpoint.ReadState(checkpoint).Step} of {options.Steps}"))
            : ExperimentRunExecution.Pending(run, folder, "not started");
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
            throw new SegANException(Setting.TestFraction, string.Create(
                CultureInfo.InvariantCulture,
                $"{options.Data.FullName}: {cases.Count} cases give {split.Test.Count} test and {split.Train.Count} training cases with test fraction {options.TestFraction}; an experiment needs at least one test case and two to train on"));
        }

        CheckOrWriteSplit(root, options, split);
        log?.Report($"{cases.Count} cases: {split.Train.Count} to train on (validation split inside each run), {split.Test.Count} held out for testing");
        return (root, split);
    }

    /// <summary>Prepares the experiment folder and the device: what every run of this process shares.</summary>
    private static ExperimentSession Start(
        ExperimentOptions options,
        DeviceSpec device,
        IProgress<string>? log,
        IProgress<TrainProgress>? training,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(device);
        var (root, split) = Prepare(options, log);
        var torchDevice = device.Resolve();
        return new ExperimentSession(options, root, split, device, torchDevice, SystemInfo.Collect(torchDevice), log, training, cancellation);
    }

    private static (List<ExperimentRun> Runs, bool Interrupted) RunPlanned(ExperimentSession session, IReadOnlyList<PlannedRun> plan)
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
                runs.Add(ExperimentRunExecution.Pending(run, folder, "not started (interrupted)"));
                continue;
            }

            try
            {
                var result = ExperimentRunExecution.RunOne(session, run, folder, label);
                runs.Add(result);
                interrupted = result.State == RunState.Pending;
            }
            catch (OperationCanceledException)
            {
                session.Log?.Report($"{label}: interrupted");
                runs.Add(ExperimentRunExecution.Pending(run, folder, "interrupted"));
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
                SeedStatistic.Of([.. finished.Select(r => r.Scores![k].Sensitivity)]),
                LesionStatistic([.. finished.Select(r => r.Scores![k].LesionDice)]),
                LesionStatistic([.. finished.Select(r => r.Scores![k].LesionHd95)]))).ToList();
            return new VariantSummary(variant, finished.Count, regions, finished.Count == 0 ? double.NaN : finished.Average(r => r.TrainSeconds));
        })];
    }

    // Runs scored before lesion-wise scoring was asked for have none: the statistic covers the runs that have them.
    private static SeedStatistic? LesionStatistic(IReadOnlyList<double> values) =>
        values.Any(double.IsFinite) ? SeedStatistic.Of([.. values.Where(double.IsFinite)]) : null;

    /// <summary>Reads a run's test-set means per region from its <c>evaluation/summary.json</c>.</summary>
    public static IReadOnlyList<RegionMeans> ReadScores(string summaryJson)
    {
        try
        {
            var summary = EvaluationSummaryFile.Read(summaryJson);
            return [.. LabelNames.Regions.Select(region =>
            {
                var r = summary.Regions.TryGetValue(region.ShortName(), out var found)
                    ? found
                    : throw new SegANException($"{summaryJson}: not an evaluation summary (no region {region.ShortName()})");
                return new RegionMeans(
                    region, Mean(r.Dice), Mean(r.Precision), Mean(r.Sensitivity), Mean(r.LesionDice), Mean(r.LesionHd95));
            })];
        }
        catch (SegANException e)
        {
            throw new SegANException($"{e.Message}; delete the run's evaluation folder to score it again", e);
        }

        static double Mean(MetricStatistics? statistics) => statistics?.Mean ?? double.NaN;
    }

    private static void CheckSettings(string root, ExperimentOptions options)
    {
        var path = Path.Combine(root, SettingsFileName);
        var fingerprint = options.Fingerprint();
        if (File.Exists(path))
        {
            var saved = SettingsFile.Read(path).Settings;
            if (!string.Equals(saved, fingerprint, StringComparison.Ordinal))
            {
                throw new SegANException(
                    Setting.Output,
                    $"{path}: this experiment was started with other settings ({saved}); continuing it with ({fingerprint}) would mix budgets. Use the same settings or another output folder");
            }

            return;
        }

        if (!new SettingsFile(fingerprint).WriteNew(path))
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
            if (!SplitFile.Read(path).Matches(split))
            {
                throw new SegANException(Setting.Output, $"{path}: the dataset's cases no longer give the saved split (cases were added or removed); use another output folder");
            }

            return;
        }

        var file = new SplitFile(options.SplitSeed, options.TestFraction, [.. split.Train.Select(c => c.Name)], [.. split.Test.Select(c => c.Name)]);
        if (!file.WriteNew(path))
        {
            CheckOrWriteSplit(root, options, split);
        }
    }
}
