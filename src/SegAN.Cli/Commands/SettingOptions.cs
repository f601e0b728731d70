using System.Collections.Frozen;

namespace SegAN.Cli.Commands;

/// <summary>
/// The command line's name for each library <see cref="Setting"/>: the library's errors speak in concepts ("batch
/// size 0 must be at least 1") and name the settings they are about; the user reads the options they typed in front
/// ("--batch: batch size 0 must be at least 1").
/// </summary>
internal static class SettingOptions
{
    // One table, so that a test can hold every setting to a declared option.
    private static readonly FrozenDictionary<Setting, string> Options = new Dictionary<Setting, string>
    {
        [Setting.BatchSize] = "--batch",
        [Setting.Steps] = "--steps",
        [Setting.Epochs] = "--epochs",
        [Setting.LearningRate] = "--lr",
        [Setting.Optimizer] = "--optimizer",
        [Setting.LearningRateSchedule] = "--lr-schedule",
        [Setting.Clip] = "--clip",
        [Setting.DiceWeight] = "--dice-weight",
        [Setting.DiceMode] = "--dice-mode",
        [Setting.ValidationInterval] = "--val-every",
        [Setting.LogInterval] = "--log-every",
        [Setting.Seed] = "--seed",
        [Setting.Variant] = "--variant",
        [Setting.Depth] = "--depth",
        [Setting.Width] = "--width",
        [Setting.CriticDepth] = "--critic-depth",
        [Setting.Data] = "--data",
        [Setting.SliceSize] = "--slice-size",
        [Setting.Crop] = "--crop",
        [Setting.Percentiles] = "--percentiles",
        [Setting.ValidationFraction] = "--val-fraction",
        [Setting.Modalities] = "--modality",
        [Setting.SegmentationPattern] = "--seg",
        [Setting.Labels] = "--labels",
        [Setting.Output] = "--out",
        [Setting.Resume] = "--resume",
        [Setting.Device] = "--device",
        [Setting.Threads] = "--threads",
        [Setting.Engine] = "--engine",
        [Setting.Threshold] = "--threshold",
        [Setting.Window] = "--window",
        [Setting.Parallelism] = "--jobs",
        [Setting.Shards] = "--shards",
        [Setting.Shard] = "--shard",
        [Setting.Distributed] = "--distributed",
        [Setting.Tasks] = "--tasks",
        [Setting.Task] = "--task",
        [Setting.Variants] = "--variants",
        [Setting.Seeds] = "--seeds",
        [Setting.TestFraction] = "--test-fraction",
        [Setting.PhantomSize] = "--size",
        [Setting.Difficulty] = "--difficulty",
        [Setting.Opset] = "--opset",
        [Setting.OnnxFile] = "--output",
        [Setting.TritonRepository] = "--triton",
        [Setting.MaxBatchSize] = "--max-batch-size",
        [Setting.DatasetId] = "--id",
        [Setting.DatasetName] = "--name",
        [Setting.MaxVoxels] = "--max-voxels",
    }.ToFrozenDictionary();

    /// <summary>The option that sets <paramref name="setting"/> (the same name in every command that has it).</summary>
    public static string Option(Setting setting) =>
        Options.TryGetValue(setting, out var option)
            ? option
            : throw new ArgumentOutOfRangeException(nameof(setting), setting, "no command-line option for this setting");

    /// <summary>
    /// <see cref="ErrorReport.OneLine"/>, led by the options of the settings a <see cref="SegANException"/> is
    /// about: "--batch: batch size 0 must be at least 1".
    /// </summary>
    public static string OneLine(Exception e)
    {
        var line = ErrorReport.OneLine(e);
        var settings = Innermost(e) is SegANException { Settings.Count: > 0 } s ? s.Settings : [];
        return settings.Count == 0 ? line : $"{string.Join(", ", settings.Select(Option).Distinct())}: {line}";
    }

    // The exception ErrorReport reports: an aggregate's first inner one.
    private static Exception Innermost(Exception e) =>
        e is AggregateException { InnerExceptions.Count: > 0 } a ? Innermost(a.InnerExceptions[0]) : e;
}
