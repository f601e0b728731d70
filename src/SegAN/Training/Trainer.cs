using System.Globalization;
using System.Text.Json;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Distributed;
using SegAN.Models;
using static TorchSharp.torch;

namespace SegAN.Training;

/// <summary>What a run trains on, supplied by the data pipeline.</summary>
/// <param name="OpenBatches">
/// Opens the seeded training batch stream positioned after <c>consumed</c> batches (0 for a new run, the checkpoint's
/// step on resume), so that a resumed run sees exactly the batches an uninterrupted run would.
/// </param>
/// <param name="SlicesPerEpoch">Training slices in one epoch (for <see cref="TrainOptions.Epochs"/>).</param>
/// <param name="Validation">Whole validation volumes, or null to skip validation (the last model is then saved).</param>
/// <param name="Modalities">Modality names in channel order; their count is the networks' input channels.</param>
/// <param name="LabelConvention">Name of the label convention (stored in the model file).</param>
/// <param name="Preprocessing">Preprocessing parameters, stored verbatim in the model file.</param>
/// <param name="Settings">
/// The data side of the run that the options do not hold, by name (a <see cref="Setting"/>'s
/// <see cref="SettingNames.Name"/>, e.g. "slice size" = 160, or any other): saved in the checkpoint, and a resume with
/// another value is refused naming the setting.
/// </param>
public sealed record TrainingInputs(
    Func<long, ISliceBatchSource> OpenBatches,
    long SlicesPerEpoch,
    IValidationSet? Validation,
    IReadOnlyList<string> Modalities,
    string LabelConvention,
    JsonElement? Preprocessing = null,
    IReadOnlyDictionary<string, string>? Settings = null);

/// <summary>A progress report: after every step, and with <see cref="Message"/> for events (validation, checkpoint).</summary>
public sealed record TrainProgress(
    long Step,
    long TotalSteps,
    TimeSpan Elapsed,
    TimeSpan? Remaining,
    StepLosses Losses,
    double LearningRate,
    ValidationResult? LastValidation,
    string? Message = null);

/// <summary>How a run ended.</summary>
public enum TrainStatus
{
    /// <summary>All steps done.</summary>
    Completed,

    /// <summary>Stopped by the cancellation token; a checkpoint was saved first.</summary>
    Cancelled,

    /// <summary>A loss became NaN or infinite; the last good checkpoint was kept.</summary>
    Diverged,
}

/// <summary>The outcome of <see cref="Trainer.Run"/>.</summary>
public sealed record TrainResult(TrainStatus Status, long Step, long TotalSteps, double BestDice, long BestStep, string RunFolder, string Message);

/// <summary>
/// A SegAN training run in a run folder: <c>options.json</c>, <c>model.segan</c> (best model by mean validation
/// Dice, or the last one without validation), <c>last.ckpt</c> (saved at every validation point, at the end and on
/// cancellation), <c>metrics.jsonl</c> (<see cref="TrainingLogEntry"/>, one per log point) and <c>train.log</c>.
/// The run is a loop over <see cref="AdversarialTrainer.Step"/>; its parts (the run folder, resume, checkpoints,
/// validation and model selection, the metrics log, the divergence guard, rank coordination) are small classes
/// beside this one (MONAI's engine and handlers).
/// </summary>
public static class Trainer
{
    /// <summary>The options file's name in a run folder.</summary>
    public const string OptionsFileName = "options.json";

    /// <summary>The metrics file's name in a run folder.</summary>
    public const string MetricsFileName = MetricsLog.FileName;

    /// <summary>The log file's name in a run folder.</summary>
    public const string LogFileName = "train.log";

    /// <summary>
    /// Runs (or, with <see cref="TrainOptions.Resume"/>, continues) training. With a <paramref name="communicator"/>
    /// of several ranks, training is data-parallel: rank 0's initial (or resumed) state is broadcast to all ranks,
    /// each step's gradients are averaged over the ranks (<see cref="AllReduceGradientReducer"/>), and only
    /// rank 0 validates, logs and writes the run folder. <see cref="TrainOptions.BatchSize"/> is then the global
    /// batch: <paramref name="inputs"/>' batches on each rank hold its BatchSize / ranks part of it. Batch-norm
    /// statistics are computed per rank over its part (as PyTorch DDP without SyncBatchNorm).
    /// </summary>
    public static TrainResult Run(
        TrainOptions options,
        TrainingInputs inputs,
        Device? device = null,
        IProgress<TrainProgress>? progress = null,
        ICommunicator? communicator = null,
        CancellationToken cancellationToken = default)
    {
        options.Validated();
        var ranks = new RankGroup(communicator);
        ranks.CheckBatchSize(options.BatchSize);
        var folder = new RunFolder(options.Out);
        var architecture = new SegANArchitecture(options.Variant, inputs.Modalities.Count, options.Depth, options.BaseWidth, options.CriticDepth).Validated();
        var totalSteps = options.ResolveSteps(inputs.SlicesPerEpoch);
        ranks.RootFirst(ranks.IsRoot, () => folder.Prepare(options.Resume));
        var reducer = communicator is null ? null : new AllReduceGradientReducer(communicator);
        using var trainer = NewTrainer(options, architecture, device, reducer);
        var state = new TrainingState();
        ranks.RootFirst(ranks.IsRoot && options.Resume, () => state.ResumeFrom(RunResume.Load(folder, trainer, options, inputs.Settings)));
        state.Step = communicator is null ? state.Step : StateBroadcast.FromRoot(communicator, state.Step, trainer.SaveState, trainer.LoadState);
        folder.WriteOptions(options, ranks.IsRoot);
        using var log = RunLog.Open(folder.LogPath, ranks.IsRoot);
        using var metrics = MetricsLog.Open(folder.MetricsPath, ranks.IsRoot, options.LogEvery);
        LogStart(log, options, inputs, architecture, state.Step, totalSteps, ranks);
        var checkpoints = new RunCheckpoints(folder, trainer, architecture, options, inputs, ranks.IsRoot);
        var selection = new ModelSelection(trainer.Segmentor, inputs.Validation, checkpoints, log, options.BatchSize, device, ranks.IsRoot);
        var source = inputs.OpenBatches(state.Step);
        using var sourceLifetime = source as IDisposable;
        state.StartSession();
        while (state.Step < totalSteps)
        {
            if (ranks.Cancelled(cancellationToken))
            {
                return Stop(log, state.Result(TrainStatus.Cancelled, totalSteps, folder.Path, checkpoints.SaveOnCancel(state, totalSteps)));
            }

            var lr = options.LearningRateAt(state.Step, totalSteps);
            var losses = Step(trainer, source.Next(), lr);
            if (DivergenceGuard.Check(losses, state, folder.CheckpointPath) is { } diverged)
            {
                return Stop(log, state.Result(TrainStatus.Diverged, totalSteps, folder.Path, diverged));
            }

            state.Step++;
            var validationPoint = state.Step % options.ValEvery == 0 || state.Step == totalSteps;
            var message = validationPoint ? selection.OnValidationPoint(state) : null;
            if (metrics.Record(state.Step, state.Seconds, losses, lr, state.LastValidation, validationPoint) is { } line && !validationPoint)
            {
                log.Line(line);
            }

            progress?.Report(state.Progress(totalSteps, losses, lr, message));
        }

        return Stop(log, state.Result(TrainStatus.Completed, totalSteps, folder.Path, Completion(log, state, totalSteps, reducer, ranks, trainer)));
    }

    private static AdversarialTrainer NewTrainer(TrainOptions options, SegANArchitecture architecture, Device? device, IGradientReducer? reducer) =>
        new(architecture, options.Optimizer, options.LearningRate, options.Clip, options.DiceWeight, options.Seed, device)
        {
            DiceReduction = options.DiceMode,
            GradientReducer = reducer ?? NoGradientReducer.Instance,
        };

    // One optimisation step, outside the garbage collector's reach (TorchSharp frees Scalar temporaries in finalizers).
    private static StepLosses Step(AdversarialTrainer trainer, SliceBatch batch, double lr)
    {
        using (NoGcRegion.Enter())
        {
            return trainer.Step(batch, lr);
        }
    }

    private static TrainResult Stop(RunLog log, TrainResult result)
    {
        log.Line(result.Message);
        return result;
    }

    private static void LogStart(RunLog log, TrainOptions options, TrainingInputs inputs, SegANArchitecture architecture, long step, long totalSteps, RankGroup ranks)
    {
        log.Line(options.Resume
            ? Inv($"resuming at step {step} of {totalSteps}: {architecture}")
            : Inv($"new run, {totalSteps} steps: {architecture}, {options.Optimizer} lr {options.LearningRate}, batch {options.BatchSize}, clip {options.Clip}, dice weight {options.DiceWeight} ({options.DiceMode}), seed {options.Seed}"));
        if (inputs.Preprocessing is { } preprocessing)
        {
            log.Line("data: " + preprocessing.GetRawText());
        }

        if (ranks.Communicator is not null)
        {
            log.Line(Inv($"data-parallel over {ranks.Size} ranks: {options.BatchSize / ranks.Size} slices per rank and step, gradients averaged, batch-norm statistics per rank"));
        }
    }

    // The closing line; over several ranks, first the check that they still hold the same weights.
    private static string Completion(RunLog log, TrainingState state, long totalSteps, AllReduceGradientReducer? reducer, RankGroup ranks, AdversarialTrainer trainer)
    {
        var final = Inv($"completed {totalSteps} steps in {state.Seconds:F1} s") + (state.BestDice >= 0 ? Inv($"; best mean validation Dice {state.BestDice:F4} at step {state.BestStep}") : string.Empty)
            + (reducer is { Calls: > 0 } ? Inv($"; gradient all-reduce {reducer.AllReduceTime.TotalMilliseconds / reducer.Calls:F2} ms per call over {ranks.Size} ranks") : string.Empty);
        if (ranks.Communicator is { } communicator)
        {
            log.Line(WeightAgreement.Describe(WeightAgreement.Check(communicator, trainer.TrainableParameters), ranks.Size));
        }

        return final;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
