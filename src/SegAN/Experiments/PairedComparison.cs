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
    /// P(|T| &gt;= |t|) = I_{df/(df+t^2)}(df/2, 1/2), the regularised incomplete beta function.
    /// </summary>
    public static double TwoSidedP(double t, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (double.IsNaN(t))
        {
            return double.NaN;
        }

        double df = degreesOfFreedom;
        return RegularisedIncompleteBeta(df / (df + (t * t)), df / 2, 0.5);
    }

    /// <summary>I_x(a, b), by the continued fraction (modified Lentz), on the side where it converges fast.</summary>
    internal static double RegularisedIncompleteBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var logFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? Math.Exp(logFront) * ContinuedFraction(x, a, b) / a
            : 1 - (Math.Exp(logFront) * ContinuedFraction(1 - x, b, a) / b);
    }

    private static double ContinuedFraction(double x, double a, double b)
    {
        const double Tiny = 1e-300;
        double c = 1, d = 1 - ((a + b) * x / (a + 1));
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 300; m++)
        {
            // The even then the odd step of the fraction's terms.
            foreach (var numerator in new[] { m * (b - m) * x / ((a + (2 * m) - 1) * (a + (2 * m))), -(a + m) * (a + b + m) * x / ((a + (2 * m)) * (a + (2 * m) + 1)) })
            {
                d = 1 + (numerator * d);
                d = Math.Abs(d) < Tiny ? Tiny : d;
                c = 1 + (numerator / c);
                c = Math.Abs(c) < Tiny ? Tiny : c;
                d = 1 / d;
                h *= d * c;
            }

            if (Math.Abs((d * c) - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9; relative error below 1e-14).</summary>
    internal static double LogGamma(double x)
    {
        double[] c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = c[0];
        for (var i = 1; i < c.Length; i++)
        {
            sum += c[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
