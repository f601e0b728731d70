using SegAN.Losses;
using TorchSharp;

namespace SegAN.Tests.Losses;

public sealed class DiceLossTests
{
    [Fact]
    public void DiceLoss_IsZero_ForAPerfectPrediction()
    {
        using var scope = torch.NewDisposeScope();
        var y = torch.ones(1, 3, 2, 2);

        // (2*4 + 1) / (4 + 4 + 1) = 1 for every region
        Assert.Equal(0f, DiceLoss.Compute(y, y).item<float>(), 6);
    }

    [Fact]
    public void DiceLoss_MatchesHandComputation_WithSmoothing()
    {
        // Given region 0 predicted empty with one true pixel, regions 1 and 2 empty in both
        using var scope = torch.NewDisposeScope();
        var p = torch.zeros(1, 3, 2, 2);
        var y = torch.zeros(1, 3, 2, 2);
        y[0, 0, 0, 0] = torch.tensor(1f);

        // Then Dice = [(0+1)/(0+1+1), 1, 1] = [0.5, 1, 1], loss = 1 - 2.5/3
        Assert.Equal(1 - (2.5 / 3), DiceLoss.Compute(p, y).item<float>(), 6);
    }

    [Fact]
    public void DiceLoss_Pooled_SumsOverAllRegions_SoTheSmallRegionWeighsLess()
    {
        // Given a large region 0 (8 of 8 pixels right) and a small region 2 (1 true pixel, 3 false positives)
        using var scope = torch.NewDisposeScope();
        var p = torch.zeros(1, 3, 2, 4);
        var y = torch.zeros(1, 3, 2, 4);
        p[0, 0] = torch.ones(2, 4);
        y[0, 0] = torch.ones(2, 4);
        p[0, 2, 0] = torch.ones(4);
        y[0, 2, 0, 0] = torch.tensor(1f);

        // Per region: Dice = [(16+1)/(16+1), (0+1)/(0+1), (2+1)/(4+1+1)] = [1, 1, 0.5], loss = 1 - 2.5/3
        Assert.Equal(1 - (2.5 / 3), DiceLoss.Compute(p, y, DiceReduction.PerRegion).item<float>(), 6);

        // Pooled: intersection 8 + 1, sums 12 + 9: loss = 1 - (18 + 1) / (21 + 1)
        Assert.Equal(1 - (19.0 / 22), DiceLoss.Compute(p, y, DiceReduction.Pooled).item<float>(), 6);
    }
}
