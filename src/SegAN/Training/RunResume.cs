using System.Globalization;
using SegAN.Models;

namespace SegAN.Training;

/// <summary>
/// Continuing a run from its <c>last.ckpt</c>: the same run only (a setting that changes it is refused, each one
/// named), the trainer's state restored, and the metrics logged after the checkpoint dropped.
/// </summary>
internal static class RunResume
{
    /// <summary>
    /// The keys older checkpoints saved the data-side settings under (command-line options), and the settings they
    /// stand for: a run saved before the keys became concept names still resumes, and is compared key for key.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, Setting> LegacyKeys = new Dictionary<string, Setting>(StringComparer.Ordinal)
    {
        ["--slice-size"] = Setting.SliceSize,
        ["--crop"] = Setting.Crop,
        ["--val-fraction"] = Setting.ValidationFraction,
        ["--percentiles"] = Setting.Percentiles,
        ["--modality"] = Setting.Modalities,
        ["--seg"] = Setting.SegmentationPattern,
        ["--labels"] = Setting.Labels,
    };

    /// <summary>Restores <paramref name="trainer"/> from <paramref name="folder"/>'s checkpoint and returns its state.</summary>
    public static CheckpointState Load(RunFolder folder, AdversarialTrainer trainer, TrainOptions options, IReadOnlyDictionary<string, string>? settings)
    {
        var saved = Checkpoint.ReadState(folder.CheckpointPath);

        // A resume continues the same run: a setting that changes it (the seed fixes the split and the batch
        // stream, the slice size the data, the learning rate the updates...) is refused, each one named.
        var changed = ChangedSettings(saved, options, settings);
        if (changed.Count > 0)
        {
            throw new SegANException(
                [.. changed.Where(c => c.Setting is not null).Select(c => c.Setting!.Value)],
                $"{folder.CheckpointPath}: resuming continues the same run, but settings differ from the run's: {string.Join("; ", changed.Select(c => c.Text))}; resume with the run's values or start a new run in another output folder.");
        }

        var state = Checkpoint.Load(folder.CheckpointPath, trainer);
        MetricsLog.TruncateAfter(folder.MetricsPath, state.Step);
        return state;
    }

    /// <summary>
    /// The settings of <paramref name="saved"/>'s run that differ from this one's, each as its setting (null for a
    /// data-side key that is not one) and a text such as "learning rate was 2e-05, now 0.0002". Steps, epochs, the
    /// validation and log intervals may change (train longer, validate more often); so may the output folder.
    /// </summary>
    internal static List<(Setting? Setting, string Text)> ChangedSettings(CheckpointState saved, TrainOptions options, IReadOnlyDictionary<string, string>? settings)
    {
        var was = saved.Options;
        var changed = new List<(Setting?, string)>();
        void Check(Setting? setting, string name, object? before, object? now)
        {
            var a = Convert.ToString(before, CultureInfo.InvariantCulture);
            var b = Convert.ToString(now, CultureInfo.InvariantCulture);
            if (!string.Equals(a, b, StringComparison.Ordinal))
            {
                changed.Add((setting, $"{name} was {a ?? "unset"}, now {b ?? "unset"}"));
            }
        }

        void CheckSetting(Setting setting, object? before, object? now) => Check(setting, setting.Name(), before, now);

        CheckSetting(Setting.Variant, was.Variant.CliName(), options.Variant.CliName());
        CheckSetting(Setting.BatchSize, was.BatchSize, options.BatchSize);
        CheckSetting(Setting.LearningRate, was.LearningRate, options.LearningRate);
        CheckSetting(Setting.Optimizer, was.Optimizer.ToString().ToLowerInvariant(), options.Optimizer.ToString().ToLowerInvariant());
        CheckSetting(Setting.LearningRateSchedule, was.LrSchedule.ToString().ToLowerInvariant(), options.LrSchedule.ToString().ToLowerInvariant());
        CheckSetting(Setting.Clip, was.Clip, options.Clip);
        CheckSetting(Setting.DiceWeight, was.DiceWeight, options.DiceWeight);
        CheckSetting(Setting.DiceMode, was.DiceMode.ToString().ToLowerInvariant(), options.DiceMode.ToString().ToLowerInvariant());
        CheckSetting(Setting.Seed, was.Seed, options.Seed);
        CheckSetting(Setting.Depth, was.Depth, options.Depth);
        CheckSetting(Setting.Width, was.BaseWidth, options.BaseWidth);
        CheckSetting(Setting.CriticDepth, was.CriticDepth, options.CriticDepth);
        if (was.Data is not null && options.Data is not null)
        {
            CheckSetting(Setting.Data, Path.TrimEndingDirectorySeparator(was.Data), Path.TrimEndingDirectorySeparator(options.Data));
        }

        if (saved.Settings is { } savedSettings && settings is not null)
        {
            var before = Migrate(savedSettings);
            foreach (var key in before.Keys.Union(settings.Keys).Order(StringComparer.Ordinal))
            {
                Check(SettingNames.FromName(key), key, before.GetValueOrDefault(key), settings.GetValueOrDefault(key));
            }
        }

        return changed;
    }

    /// <summary>A checkpoint's data-side settings with the legacy keys (<see cref="LegacyKeys"/>) renamed to the settings' names.</summary>
    internal static Dictionary<string, string> Migrate(IReadOnlyDictionary<string, string> saved) =>
        saved.ToDictionary(p => LegacyKeys.TryGetValue(p.Key, out var setting) ? setting.Name() : p.Key, p => p.Value, StringComparer.Ordinal);
}
