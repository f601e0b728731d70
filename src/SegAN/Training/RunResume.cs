using System.Globalization;
using SegAN.Models;

namespace SegAN.Training;

/// <summary>
/// Continuing a run from its <c>last.ckpt</c>: the same run only (an option that changes it is refused, each one
/// named), the trainer's state restored, and the metrics logged after the checkpoint dropped.
/// </summary>
internal static class RunResume
{
    /// <summary>Restores <paramref name="trainer"/> from <paramref name="folder"/>'s checkpoint and returns its state.</summary>
    public static CheckpointState Load(RunFolder folder, AdversarialTrainer trainer, TrainOptions options, IReadOnlyDictionary<string, string>? settings)
    {
        var saved = Checkpoint.ReadState(folder.CheckpointPath);

        // A resume continues the same run: an option that changes it (the seed fixes the split and the batch
        // stream, the slice size the data, the learning rate the updates...) is refused, each one named.
        var changed = ChangedSettings(saved, options, settings);
        if (changed.Count > 0)
        {
            throw new SegANException($"{folder.CheckpointPath}: --resume continues the same run, but options differ from the run's: {string.Join("; ", changed)}; resume with the run's values or start a new run in another --out.");
        }

        var state = Checkpoint.Load(folder.CheckpointPath, trainer);
        MetricsLog.TruncateAfter(folder.MetricsPath, state.Step);
        return state;
    }

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
}
