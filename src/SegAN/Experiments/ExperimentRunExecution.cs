using System.Globalization;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Imaging;
using SegAN.Inference;
using SegAN.Persistence;
using SegAN.Reporting;
using SegAN.Training;

namespace SegAN.Experiments;

/// <summary>What every run of one process shares: the experiment, its folder and split, the device, the system, the listeners.</summary>
internal sealed record ExperimentSession(
    ExperimentOptions Options,
    string Root,
    ExperimentSplit Split,
    DeviceSpec Device,
    TorchSharp.torch.Device TorchDevice,
    SystemInfo System,
    IProgress<string>? Log,
    IProgress<TrainProgress>? Training,
    CancellationToken Cancellation);

/// <summary>
/// One planned run of an experiment, under its lock: reused when its evaluation summary exists, else trained (or
/// resumed from its checkpoint), its test cases segmented and scored, and the summary moved into place last.
/// </summary>
internal static class ExperimentRunExecution
{
    internal static ExperimentRun RunOne(ExperimentSession session, PlannedRun run, string folder, string label)
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
            session.Log?.Report($"{label}: in progress in another process (its {ExperimentRunner.LockFileName} is held); skipped");
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

    private static ExperimentRun RunLocked(ExperimentSession session, PlannedRun run, string folder, string label)
    {
        var (options, split, log) = (session.Options, session.Split, session.Log);
        var trainFolder = Path.Combine(folder, "train");
        var evaluationFolder = Path.Combine(folder, "evaluation");
        var checkpoint = CheckpointPath(folder);
        var diverged = Path.Combine(folder, ExperimentRunner.DivergedFileName);

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
        SystemFile.Write(Path.Combine(folder, ExperimentRunner.SystemFileName), session.System);
        Directory.Move(staging, evaluationFolder);
        var scores = ExperimentRunner.ReadScores(SummaryPath(folder));
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
            options.Layout.Labels,
            options.LesionWise)).ToList();
        return EvaluationResult.Create(options.Layout.Labels, scored, [], [], options.LesionWise);
    }

    internal static ExperimentRun Pending(PlannedRun run, string folder, string message) =>
        new(run.Variant, run.Seed, folder, RunState.Pending, double.NaN, null, message);

    internal static ExperimentRun Finished(PlannedRun run, string folder) =>
        new(run.Variant, run.Seed, folder, RunState.Reused, TrainSeconds(CheckpointPath(folder)), ExperimentRunner.ReadScores(SummaryPath(folder)), null);

    internal static ExperimentRun HeldElsewhere(PlannedRun run, string folder) =>
        new(run.Variant, run.Seed, folder, RunState.Running, TrainSeconds(CheckpointPath(folder)), null, "in progress in another process");

    /// <summary>A run's evaluation summary: the marker of a finished run.</summary>
    internal static string SummaryPath(string folder) => Path.Combine(folder, "evaluation", EvaluationReport.SummaryJsonFile);

    internal static string CheckpointPath(string folder) => Path.Combine(folder, "train", Checkpoint.FileName);

    internal static double TrainSeconds(string checkpoint) =>
        File.Exists(checkpoint) ? Checkpoint.ReadState(checkpoint).Seconds : double.NaN;
}
