using System.Globalization;
using SegAN.Data;
using SegAN.Distributed;
using SegAN.Models;

namespace SegAN.Experiments;

/// <summary>What <see cref="ExperimentRunner.RunTask"/> did: the task, its runs, whether it was interrupted.</summary>
public sealed record ExperimentTaskResult(ShardSpec Task, IReadOnlyList<ExperimentRun> Runs, bool Interrupted)
{
    /// <summary>Whether every run of the task has test scores.</summary>
    public bool Complete => Runs.All(r => r.IsFinished);
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

/// <summary>One region of one variant over its finished seeds; the lesion-wise statistics are null when no run has them.</summary>
public sealed record RegionAggregate(Region Region, SeedStatistic Dice, SeedStatistic Precision, SeedStatistic Sensitivity, SeedStatistic? LesionDice = null, SeedStatistic? LesionHd95 = null);

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
