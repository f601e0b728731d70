using SegAN.Data;
using SegAN.Experiments;
using SegAN.Models;

namespace SegAN.Tests.Experiments;

public sealed class PairedComparisonTests
{
    private static ExperimentRun Run(Variant variant, int seed, double dice) =>
        new(variant, seed, $"/x/{variant}/{seed}", RunState.Evaluated, 1, [.. LabelNames.Regions.Select(r => new RegionMeans(r, dice, 0.5, 0.5))], null);

    [Theory]
    [InlineData(5.196152422706632, 2, 0.03509871864598465)] // values from scipy.stats.t.sf(|t|, df) * 2 (SciPy 1.10)
    [InlineData(2.776445105, 4, 0.05000000001011946)]
    [InlineData(-12.70620474, 1, 0.04999999998500895)]
    [InlineData(0.5, 30, 0.6207230048851273)]
    [InlineData(0.0, 3, 1.0)]
    [InlineData(1.0, 1, 0.49999999999999956)]
    [InlineData(-2.0, 7, 0.08561932856297597)]
    [InlineData(3.5, 9, 0.006723515763058952)]
    [InlineData(0.1, 1000, 0.9203643690236042)]
    [InlineData(25.0, 4, 1.5197525763315744e-05)] // small p: the tail keeps its relative precision
    [InlineData(60.0, 2, 0.00027766209059467876)]
    [InlineData(4.0, 200, 8.913095218593457e-05)]
    [InlineData(8.0, 50, 1.6632966028321343e-10)]
    public void TwoSidedP_MatchesScipysStudentsT(double t, int df, double expected)
    {
        var p = PairedComparison.TwoSidedP(t, df);

        Assert.True(Math.Abs(p - expected) <= 1e-12 * expected, $"p = {p:R}, SciPy: {expected:R}");
    }

    [Fact]
    public void TwoSidedP_IsNaN_ForNaN_AndRejectsZeroDegreesOfFreedom()
    {
        Assert.True(double.IsNaN(PairedComparison.TwoSidedP(double.NaN, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedComparison.TwoSidedP(1, 0));
    }

    [Fact]
    public void Against_PairsRunsBySeed_AndTestsTheMeanDifference()
    {
        // Given a baseline with seeds 0..2 and a variant better by 0.02, 0.04 and 0.03 on those seeds, and a
        // variant that finished only seed 1
        var runs = new List<ExperimentRun>
        {
            Run(Variant.UNet, 0, 0.80), Run(Variant.UNet, 1, 0.70), Run(Variant.UNet, 2, 0.90),
            Run(Variant.S3_3C, 0, 0.82), Run(Variant.S3_3C, 1, 0.74), Run(Variant.S3_3C, 2, 0.93),
            Run(Variant.S1_1C, 1, 0.60),
        };

        // When compared against the baseline the report picks (the U-Net, although it is listed last)
        IReadOnlyList<Variant> variants = [Variant.S3_3C, Variant.S1_1C, Variant.UNet];
        var baseline = PairedComparison.BaselineOf(variants);
        var paired = PairedComparison.Against(baseline, variants, runs);

        // Then the differences are paired by seed: mean 0.03, sd 0.01, t = 0.03 / (0.01 / sqrt 3), p from 2 dof
        Assert.Equal(Variant.UNet, baseline);
        Assert.Equal([Variant.S3_3C, Variant.S1_1C], paired.Select(p => p.Variant));
        var s33c = paired[0];
        Assert.Equal(3, s33c.Seeds);
        Assert.Equal(0.03, s33c.Mean.Mean, 12);
        Assert.Equal(0.01, s33c.Mean.Std, 12);
        Assert.All(s33c.Regions, r => Assert.Equal(0.03, r.Mean, 12));
        Assert.Equal(5.196152422706632, s33c.T, 9);
        Assert.Equal(0.03509871864598465, s33c.P, 9);

        // And one pair gives a difference but no spread, so no test
        Assert.Equal(1, paired[1].Seeds);
        Assert.Equal(-0.10, paired[1].Mean.Mean, 12);
        Assert.True(double.IsNaN(paired[1].T));
        Assert.True(double.IsNaN(paired[1].P));
    }
}
