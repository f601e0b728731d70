using MathNet.Numerics.Distributions;
using SegAN.Data;
using SegAN.Models;

namespace SegAN.Experiments;

/// <summary>
/// One variant against the baseline, paired by seed: per region (WT, TC, ET) and for the mean over regions, the
/// statistic of the per-seed differences of test means (variant minus baseline), with a paired t-test on the mean.
/// </summary>
/// <param name="Variant">The variant compared.</param>
/// <param name="Baseline">The variant it is compared with.</param>
/// <param name="Seeds">Seeds for which both finished (the pairs).</param>
/// <param name="Regions">Differences of Dice per region, in <see cref="LabelNames.Regions"/> order.</param>
/// <param name="Mean">Differences of the mean Dice over the three regions.</param>
/// <param name="T">Paired t statistic of <paramref name="Mean"/> (NaN with fewer than two pairs or no spread).</param>
/// <param name="P">Its two-sided p-value with <c>Seeds - 1</c> degrees of freedom (NaN when <paramref name="T"/> is).</param>
public sealed record PairedDifference(Variant Variant, Variant Baseline, int Seeds, IReadOnlyList<SeedStatistic> Regions, SeedStatistic Mean, double T, double P);

/// <summary>
/// Paired comparisons of an experiment's variants. Runs of one seed share the train/validation split and the seed of
/// the weights and batches, so a variant's difference from the baseline varies less from seed to seed than either
/// does: pairing by seed separates variants that the per-variant standard deviations alone would not.
/// </summary>
public static class PairedComparison
{
    /// <summary>The baseline of the report: the U-Net when it was run, else the first variant.</summary>
    public static Variant BaselineOf(IReadOnlyList<Variant> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        return variants.Contains(Variant.UNet) ? Variant.UNet : variants[0];
    }

    /// <summary>Every variant but <paramref name="baseline"/> against it, over the seeds both finished.</summary>
    public static IReadOnlyList<PairedDifference> Against(Variant baseline, IReadOnlyList<Variant> variants, IReadOnlyList<ExperimentRun> runs)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(runs);
        var finished = runs.Where(r => r.Scores is not null).ToDictionary(r => (r.Variant, r.Seed), r => r.Scores!);
        return [.. variants.Where(v => v != baseline).Select(variant =>
        {
            var pairs = finished.Keys.Where(k => k.Variant == variant && finished.ContainsKey((baseline, k.Seed)))
                .Select(k => (Variant: finished[k], Baseline: finished[(baseline, k.Seed)])).ToList();
            var regions = LabelNames.Regions.Select((_, r) => SeedStatistic.Of([.. pairs.Select(p => p.Variant[r].Dice - p.Baseline[r].Dice)])).ToList();
            var mean = SeedStatistic.Of([.. pairs.Select(p => p.Variant.Average(s => s.Dice) - p.Baseline.Average(s => s.Dice))]);
            var t = pairs.Count > 1 && mean.Std > 0 ? mean.Mean / (mean.Std / Math.Sqrt(pairs.Count)) : double.NaN;
            return new PairedDifference(variant, baseline, pairs.Count, regions, mean, t, double.IsFinite(t) ? TwoSidedP(t, pairs.Count - 1) : double.NaN);
        })];
    }

    /// <summary>
    /// Two-sided p-value of Student's t with <paramref name="degreesOfFreedom"/> degrees of freedom:
    /// P(|T| &gt;= |t|) = 2 F(-|t|), the lower tail taken directly so a small p keeps its precision.
    /// </summary>
    public static double TwoSidedP(double t, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return double.IsNaN(t) ? double.NaN : 2 * StudentT.CDF(0, 1, degreesOfFreedom, -Math.Abs(t));
    }
}
