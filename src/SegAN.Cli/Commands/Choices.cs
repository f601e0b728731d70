using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Training;

namespace SegAN.Cli.Commands;

/// <summary>
/// The command-line names of the library's enums that more than one option takes (for <see cref="ChoiceOption"/>),
/// each with the older spellings that keep working: one table per enum, so every option that takes it accepts,
/// lists and completes the same names.
/// </summary>
internal static class Choices
{
    /// <summary>brats2015, brats2021, brats2023, brats2024-gli, nnunet-brats: <c>--labels</c> and <c>--out-labels</c>.</summary>
    public static readonly (string Name, LabelConvention Value)[] Labels = [.. Enum.GetValues<LabelConvention>().Select(c => (c.Name(), c))];

    /// <summary>The release years and spellings <see cref="Labels"/> also accepts (as the library's own parser does).</summary>
    public static readonly (string Name, LabelConvention Value)[] LabelAliases =
    [
        .. ReleaseAliases().Select(a => (a.Name, DatasetPresets.Convention(a.Value))),
        ("nnunet", LabelConvention.NnUNetBrats),
    ];

    /// <summary>auto (detected from the file names), then every release's name: <c>--preset</c>.</summary>
    public static readonly (string Name, PresetChoice Value)[] Presets =
        [("auto", PresetChoice.Auto), .. Enum.GetValues<DatasetPreset>().Select(p => (p.Name(), new PresetChoice(p)))];

    /// <summary>The release years and spellings <see cref="Presets"/> also accepts.</summary>
    public static readonly (string Name, PresetChoice Value)[] PresetAliases = [.. ReleaseAliases().Select(a => (a.Name, new PresetChoice(a.Value)))];

    /// <summary>gli, ssa, men, ped, met: <c>--challenge</c>.</summary>
    public static readonly (string Name, BratsChallenge Value)[] Challenges = [.. Enum.GetValues<BratsChallenge>().Select(c => (c.Name(), c))];

    /// <summary>The challenges' official names, brats-gli ..., which <see cref="Challenges"/> also accepts.</summary>
    public static readonly (string Name, BratsChallenge Value)[] ChallengeAliases = [.. Challenges.Select(c => ("brats-" + c.Name, c.Value))];

    /// <summary>easy, realistic: <c>--difficulty</c>.</summary>
    public static readonly (string Name, PhantomDifficulty Value)[] Difficulties = [("easy", PhantomDifficulty.Easy), ("realistic", PhantomDifficulty.Realistic)];

    /// <summary>adam, rmsprop: <c>--optimizer</c>.</summary>
    public static readonly (string Name, OptimizerKind Value)[] Optimizers = [("adam", OptimizerKind.Adam), ("rmsprop", OptimizerKind.RmsProp)];

    // brats2013 and brats2017-2020 name the releases whose files and labels 2015 and 2021 share; brats2024 and
    // brats2024gli are the 2024 glioma release's other spellings.
    private static (string Name, DatasetPreset Value)[] ReleaseAliases() =>
    [
        ("brats2013", DatasetPreset.Brats2015),
        ("brats2017", DatasetPreset.Brats2021),
        ("brats2018", DatasetPreset.Brats2021),
        ("brats2019", DatasetPreset.Brats2021),
        ("brats2020", DatasetPreset.Brats2021),
        ("brats2024", DatasetPreset.Brats2024Gli),
        ("brats2024gli", DatasetPreset.Brats2024Gli),
    ];
}

/// <summary>
/// The value of <c>--preset</c>: a release, or none for auto (detect it). A struct rather than a nullable preset,
/// because the parser cannot hand back null for a name the user typed; its text is the name, for the help's default.
/// </summary>
/// <param name="Preset">The release; null for auto.</param>
internal readonly record struct PresetChoice(DatasetPreset? Preset)
{
    /// <summary>auto: detect the release from the file names.</summary>
    public static PresetChoice Auto => default;

    /// <summary>The command-line name: auto, brats2015, ...</summary>
    public override string ToString() => Preset?.Name() ?? "auto";
}
