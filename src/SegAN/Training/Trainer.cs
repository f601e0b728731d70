using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Distributed;
using SegAN.Models;
using SegAN.Persistence;
using static TorchSharp.torch;

namespace SegAN.Training;

/// <summary>What a run trains on, supplied by the data pipeline.</summary>
/// <param name="OpenBatches">
/// Opens the seeded training batch stream positioned after <c>consumed</c> batches (0 for a new run, the checkpoint's
/// step on resume), so that a resumed run sees exactly the batches an uninterrupted run would.
/// </param>
/// <param name="SlicesPerEpoch">Training slices in one epoch (for <c>--epochs</c>).</param>
/// <param name="Validation">Whole validation volumes, or null to skip validation (the last model is then saved).</param>
/// <param name="Modalities">Modality names in channel order; their count is the networks' input channels.</param>
/// <param name="LabelConvention">Name of the label convention (stored in the model file).</param>
/// <param name="Preprocessing">Preprocessing parameters, stored verbatim in the model file.</param>
/// <param name="Settings">
/// The data side of the run that the options do not hold, by command-line option (e.g. <c>--slice-size</c> = 160):
/// saved in the checkpoint, and a resume with another value is refused naming the option.
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
/// cancellation), <c>metrics.jsonl</c> (one JSON object per log point: step, seconds, loss_critic, loss_segmentor,
/// loss_dice, lr, and when validated val_dice_wt, val_dice_tc, val_dice_et, val_dice_mean) and <c>train.log</c>.
/// </summary>
public static class Trainer
{
    /// <summary>The options file's name in a run folder.</summary>
    public const string OptionsFileName = "options.json";

    /// <summary>The metrics file's name in a run folder.</summary>
    public const string MetricsFileName = "metrics.jsonl";

    /// <summary>The log file's name in a run folder.</summary>
    public const string LogFileName = "train.log";

    /// <summary>
    /// Runs (or, with <see cref="TrainOptions.Resume"/>, continues) training. With a <paramref name="communicator"/>
    /// of several ranks, training is data-parallel: rank 0's initial (or resumed) state is broadcast to all ranks,
    /// each step's gradients are averaged over the ranks (<see cref="Distributed.AllReduceGradientReducer"/>), and only
    /// rank 0 validates, logs and writes the run folder. <see cref="TrainOptions.BatchSize"/> is then the global
    /// batch: <paramref name="inputs"/>' batches on each rank hold its BatchSize / ranks part of it. Batch-norm
    /// statistics are computed per rank over its part (as PyTorch DDP without SyncBatchNorm).
    /// </summary>
    public static TrainResult Run(
        TrainOptions options,
        TrainingInputs inputs,
        Device? device = null,
        IProgress<TrainProgress>? progress = null,
        Distributed.ICommunicator? communicator = null,
        CancellationToken cancellationToken = default)
    {
        options.Validated();
        var root = communicator is null || communicator.Rank == 0;
        var ranks = communicator?.Size ?? 1;
        if (options.BatchSize % ranks != 0)
        {
            throw new SegANException(Inv($"--batch-size {options.BatchSize} is the global batch and must be divisible by the {ranks} ranks."));
        }

        var folder = Path.GetFullPath(options.Out);
        var checkpointPath = Path.Combine(folder, Checkpoint.FileName);
        var modelPath = Path.Combine(folder, ModelFile.FileName);
        var metricsPath = Path.Combine(folder, MetricsFileName);
        var architecture = new Models.SegANArchitecture(options.Variant, inputs.Modalities.Count, options.Depth, options.BaseWidth, options.CriticDepth).Validated();
        var totalSteps = options.ResolveSteps(inputs.SlicesPerEpoch);
        RootFirst(communicator, root, () =>
        {
            Imaging.OutputPath.CheckFolder(folder, "--out");
            var held = RunFiles.Where(name => File.Exists(Path.Combine(folder, name))).ToList();
            if (!options.Resume && held.Count > 0)
            {
                throw new SegANException($"{folder}: the run folder already holds a run ({string.Join(", ", held)}); continue it with --resume, or choose another --out.");
            }

            if (options.Resume && !File.Exists(checkpointPath))
            {
                throw new SegANException(held.Count > 0
                    ? $"{checkpointPath}: nothing to resume: the run in {folder} stopped before its first checkpoint ({string.Join(", ", held)} only); remove the folder or choose another --out to start again."
                    : $"{checkpointPath}: nothing to resume (no checkpoint in the run folder).");
            }

            Directory.CreateDirectory(folder);
            RemoveStaleTemporaries(folder);
        });

        using var trainer = new AdversarialTrainer(architecture, options.Optimizer, options.LearningRate, options.Clip, options.DiceWeight, options.Seed, device)
        {
            DiceReduction = options.DiceMode,
        };
        var reducer = communicator is null ? null : new Distributed.AllReduceGradientReducer(communicator);
        trainer.GradientReducer = reducer ?? (IGradientReducer)NoGradientReducer.Instance;
        long step = 0;
        double previousSeconds = 0;
        var bestDice = -1.0;
        long bestStep = 0;
        RootFirst(communicator, root && options.Resume, () =>
        {
            var saved = Checkpoint.ReadState(checkpointPath);

            // A resume continues the same run: an option that changes it (the seed fixes the split and the batch
            // stream, the slice size the data, the learning rate the updates...) is refused, each one named.
            var changed = ChangedSettings(saved, options, inputs.Settings);
            if (changed.Count > 0)
            {
                throw new SegANException($"{checkpointPath}: --resume continues the same run, but options differ from the run's: {string.Join("; ", changed)}; resume with the run's values or start a new run in another --out.");
            }

            var state = Checkpoint.Load(checkpointPath, trainer);
            (step, previousSeconds, bestDice, bestStep) = (state.Step, state.Seconds, state.BestDice, state.BestStep);
            TruncateMetrics(metricsPath, step);
        });

        if (communicator is not null)
        {
            step = Distributed.StateBroadcast.FromRoot(communicator, step, trainer.SaveState, trainer.LoadState);
        }

        if (root)
        {
            WriteAtomically(Path.Combine(folder, OptionsFileName), JsonSerializer.Serialize(options, JsonDefaults.Indented));
        }

        // Ranks other than 0 write nothing: their log and metrics go to a null stream.
        // UTF-8 without a byte-order mark: json.loads and other standard tools fail on a BOM.
        using var log = root ? new StreamWriter(Path.Combine(folder, LogFileName), append: true, NoBom) { AutoFlush = true } : new StreamWriter(Stream.Null);
        using var metrics = root ? new StreamWriter(metricsPath, append: true, NoBom) { AutoFlush = true } : new StreamWriter(Stream.Null);
        void Log(string line) => log.WriteLine($"{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} {line}");

        Log(options.Resume
            ? Inv($"resuming at step {step} of {totalSteps}: {architecture}")
            : Inv($"new run, {totalSteps} steps: {architecture}, {options.Optimizer} lr {options.LearningRate}, batch {options.BatchSize}, clip {options.Clip}, dice weight {options.DiceWeight} ({options.DiceMode}), seed {options.Seed}"));

        if (inputs.Preprocessing is { } preprocessing)
        {
            Log("data: " + preprocessing.GetRawText());
        }

        if (communicator is not null)
        {
            Log(Inv($"data-parallel over {ranks} ranks: {options.BatchSize / ranks} slices per rank and step, gradients averaged, batch-norm statistics per rank"));
        }

        var source = inputs.OpenBatches(step);
        using var sourceLifetime = source as IDisposable;
        var watch = Stopwatch.StartNew();
        var sessionStartStep = step;
        var lastGoodStep = step;
        ValidationResult? lastValidation = null;
        var sums = new LossSums();
        double Seconds() => previousSeconds + watch.Elapsed.TotalSeconds;

        void SaveCheckpoint()
        {
            if (!root)
            {
                return;
            }

            Checkpoint.Save(checkpointPath, trainer, new CheckpointState(step, Seconds(), bestDice, bestStep, architecture, options, string.Empty, inputs.Settings));
            lastGoodStep = step;
        }

        void SaveModel(double? dice)
        {
            if (root)
            {
                ModelFile.Save(modelPath, trainer.Segmentor, new ModelMetadata(inputs.Modalities, inputs.LabelConvention, inputs.Preprocessing, step, dice));
            }
        }

        while (step < totalSteps)
        {
            // Ranks stop together: a signal seen by one rank stops all of them at the same step.
            var cancelled = cancellationToken.IsCancellationRequested;
            if (communicator is not null)
            {
                cancelled = communicator.AllReduceMax(cancelled ? 1 : 0) == 1;
            }

            if (cancelled)
            {
                SaveCheckpoint();
                if (inputs.Validation is null)
                {
                    SaveModel(null);
                }

                var message = Inv($"cancelled at step {step} of {totalSteps}; checkpoint saved to {checkpointPath}; continue with --resume.");
                Log(message);
                return new TrainResult(TrainStatus.Cancelled, step, totalSteps, bestDice, bestStep, folder, message);
            }

            var batch = source.Next();
            var lr = options.LearningRateAt(step, totalSteps);
            StepLosses losses;
            using (NoGcRegion.Enter())
            {
                losses = trainer.Step(batch, lr);
            }
            if (!losses.Finite)
            {
                var message = Inv($"stopped at step {step + 1}: a loss became NaN or infinite (critic {losses.Critic}, segmentor {losses.Segmentor}, dice {losses.Dice}); ")
                    + (File.Exists(checkpointPath) ? Inv($"the last good checkpoint ({checkpointPath}, step {lastGoodStep}) was kept. Lower --lr or --clip.") : "no checkpoint had been saved yet. Lower --lr or --clip.");
                Log(message);
                return new TrainResult(TrainStatus.Diverged, step, totalSteps, bestDice, bestStep, folder, message);
            }

            step++;
            sums.Add(losses);
            var validate = step % options.ValEvery == 0 || step == totalSteps;
            string? eventMessage = null;
            if (validate)
            {
                if (!root)
                {
                    eventMessage = Inv($"step {step}: rank 0 validates and saves");
                }
                else if (inputs.Validation is not null)
                {
                    lastValidation = Validator.Evaluate(trainer.Segmentor, inputs.Validation, options.BatchSize, device);
                    eventMessage = Inv($"step {step}: validation Dice WT {lastValidation.Wt:F4} TC {lastValidation.Tc:F4} ET {lastValidation.Et:F4} mean {lastValidation.Mean:F4}");
                    if (lastValidation.Mean > bestDice)
                    {
                        (bestDice, bestStep) = (lastValidation.Mean, step);
                        SaveModel(bestDice);
                        eventMessage += " (best so far, model saved)";
                    }
                }
                else
                {
                    SaveModel(null);
                    eventMessage = Inv($"step {step}: model saved (no validation set)");
                }

                SaveCheckpoint();
                Log(eventMessage);
            }

            if (step % options.LogEvery == 0 || validate)
            {
                var line = MetricsLine(step, Seconds(), sums.Mean(), lr, validate ? lastValidation : null);
                metrics.WriteLine(line);
                if (!validate)
                {
                    Log(line);
                }

                sums = new LossSums();
            }

            var done = step - sessionStartStep;
            TimeSpan? remaining = done > 0 ? TimeSpan.FromSeconds(watch.Elapsed.TotalSeconds / done * (totalSteps - step)) : null;
            progress?.Report(new TrainProgress(step, totalSteps, TimeSpan.FromSeconds(Seconds()), remaining, losses, lr, lastValidation, eventMessage));
        }

        var final = Inv($"completed {totalSteps} steps in {Seconds():F1} s") + (bestDice >= 0 ? Inv($"; best mean validation Dice {bestDice:F4} at step {bestStep}") : string.Empty)
            + (reducer is { Calls: > 0 } ? Inv($"; gradient all-reduce {reducer.AllReduceTime.TotalMilliseconds / reducer.Calls:F2} ms per call over {ranks} ranks") : string.Empty);
        if (communicator is not null)
        {
            Log(Distributed.WeightAgreement.Describe(Distributed.WeightAgreement.Check(communicator, trainer.TrainableParameters), ranks));
        }

        Log(final);
        return new TrainResult(TrainStatus.Completed, step, totalSteps, bestDice, bestStep, folder, final);
    }

    // The files whose presence means the folder holds a run (a killed run may have only its log and metrics).
    private static readonly string[] RunFiles = [Checkpoint.FileName, ModelFile.FileName, MetricsFileName, LogFileName, OptionsFileName];

    /// <summary>
    /// The options of <paramref name="saved"/>'s run that differ from this one's, as "--lr was 2e-05, now 0.0002".
    /// --steps, --epochs, --val-every and --log-every may change (train longer, validate more often); so may --out.
    /// </summary>
    internal static List<string> ChangedSettings(CheckpointState saved, TrainOptions options, IReadOnlyDictionary<string, string>? settings)
    {
        var was = saved.Options;
        var changed = new List<string>();
        void Check(string option, object? before, object? now)
        {
            var a = Convert.ToString(before, CultureInfo.InvariantCulture);
            var b = Convert.ToString(now, CultureInfo.InvariantCulture);
            if (!string.Equals(a, b, StringComparison.Ordinal))
            {
                changed.Add($"{option} was {a ?? "unset"}, now {b ?? "unset"}");
            }
        }

        Check("--variant", was.Variant.CliName(), options.Variant.CliName());
        Check("--batch", was.BatchSize, options.BatchSize);
        Check("--lr", was.LearningRate, options.LearningRate);
        Check("--optimizer", was.Optimizer.ToString().ToLowerInvariant(), options.Optimizer.ToString().ToLowerInvariant());
        Check("--lr-schedule", was.LrSchedule.ToString().ToLowerInvariant(), options.LrSchedule.ToString().ToLowerInvariant());
        Check("--clip", was.Clip, options.Clip);
        Check("--dice-weight", was.DiceWeight, options.DiceWeight);
        Check("--dice-mode", was.DiceMode.ToString().ToLowerInvariant(), options.DiceMode.ToString().ToLowerInvariant());
        Check("--seed", was.Seed, options.Seed);
        Check("--depth", was.Depth, options.Depth);
        Check("--width", was.BaseWidth, options.BaseWidth);
        Check("--critic-depth", was.CriticDepth, options.CriticDepth);
        if (was.Data is not null && options.Data is not null)
        {
            Check("--data", Path.TrimEndingDirectorySeparator(was.Data), Path.TrimEndingDirectorySeparator(options.Data));
        }

        if (saved.Settings is { } before && settings is not null)
        {
            foreach (var key in before.Keys.Union(settings.Keys).Order(StringComparer.Ordinal))
            {
                Check(key, before.GetValueOrDefault(key), settings.GetValueOrDefault(key));
            }
        }

        return changed;
    }

    // A process killed while writing leaves its temporary file (".last.ckpt.PID.tmp", never under a final name):
    // those of processes that no longer run (or of this one's earlier use of the PID) are removed.
    private static void RemoveStaleTemporaries(string folder)
    {
        foreach (var temp in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            var parts = Path.GetFileName(temp).Split('.');
            var owner = parts.Length >= 3 && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : (int?)null;
            if (owner is { } p && p != Environment.ProcessId && IsRunning(p))
            {
                continue;
            }

            try
            {
                File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SegANException($"{temp}: cannot remove a stale temporary file: {e.Message}", e);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // Runs a setup step that only some ranks do (rank 0's file checks), then lets every rank learn whether it failed,
    // so that a failing rank 0 stops the others instead of leaving them waiting in a collective call.
    private static void RootFirst(Distributed.ICommunicator? communicator, bool run, Action setup)
    {
        Exception? failure = null;
        if (run)
        {
            try
            {
                setup();
            }
            catch (Exception e) when (communicator is not null)
            {
                failure = e;
            }
        }

        if (communicator is null)
        {
            return;
        }

        var anyFailed = communicator.AllReduceMax(failure is null ? 0 : 1) == 1;
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        if (anyFailed)
        {
            throw new SegANException(Inv($"rank {communicator.Rank}: rank 0 could not start the run (its error says why)."));
        }
    }

    /// <summary>One metrics.jsonl line; NaN losses (terms a variant lacks) are written as null.</summary>
    internal static string MetricsLine(long step, double seconds, StepLosses losses, double lr, ValidationResult? validation)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("step", step);
            json.WriteNumber("seconds", Math.Round(seconds, 3));
            WriteNumberOrNull(json, "loss_critic", losses.Critic);
            WriteNumberOrNull(json, "loss_segmentor", losses.Segmentor);
            WriteNumberOrNull(json, "loss_dice", losses.Dice);
            json.WriteNumber("lr", lr);
            if (validation is not null)
            {
                json.WriteNumber("val_dice_wt", validation.Wt);
                json.WriteNumber("val_dice_tc", validation.Tc);
                json.WriteNumber("val_dice_et", validation.Et);
                json.WriteNumber("val_dice_mean", validation.Mean);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    // A resumed run continues after the checkpoint's step: lines logged after it (by the interrupted session) go.
    private static void TruncateMetrics(string path, long step)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var kept = File.ReadLines(path).Where(line =>
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                return doc.RootElement.GetProperty("step").GetInt64() <= step;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return false;
            }
        }).ToList();
        WriteAtomically(path, kept.Count == 0 ? string.Empty : string.Join('\n', kept) + "\n");
    }

    private static void WriteAtomically(string path, string text)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    private static readonly UTF8Encoding NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    // Mean losses between two log points; NaN terms stay NaN.
    private sealed class LossSums
    {
        private double _critic;
        private double _segmentor;
        private double _dice;
        private int _count;

        public void Add(StepLosses l)
        {
            _critic += l.Critic;
            _segmentor += l.Segmentor;
            _dice += l.Dice;
            _count++;
        }

        public StepLosses Mean() => _count == 0
            ? new StepLosses(double.NaN, double.NaN, double.NaN, true)
            : new StepLosses(_critic / _count, _segmentor / _count, _dice / _count, true);
    }
}
