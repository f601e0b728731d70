using System.Globalization;
using SegAN.Data;
using SegAN.Models;

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

/// <summary>The test-set mean of Dice, precision and sensitivity of one region in one run, and of the lesion-wise Dice and HD95 (NaN when not scored).</summary>
public sealed record RegionMeans(Region Region, double Dice, double Precision, double Sensitivity, double LesionDice = double.NaN, double LesionHd95 = double.NaN);

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
