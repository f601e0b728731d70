using SegAN.Export;

namespace SegAN.Tests.Export;

public sealed class FoldedConvTests
{
    [Fact]
    public void Fold_BatchNorm_ScalesWeightsAndShiftsBias_ByHand()
    {
        // Given a 1x1 convolution with two output maps (weights 2 and -1, no bias) and a batch norm with
        // gamma (3, 1), beta (0.5, 0), running mean (1, -2), running var (3, 0), eps 1
        var norm = new BatchNormParameters([3f, 1f], [0.5f, 0f], [1f, -2f], [3f, 0f], Eps: 1);

        // When they are folded
        var folded = FoldedConv.Fold([2f, -1f], null, outChannels: 2, inChannels: 1, kernel: 1, norm);

        // Then s = gamma / sqrt(var + eps) = (1.5, 1): w' = (3, -1), b' = beta + (0 - mean) s = (-1, 2)
        Assert.Equal([3f, -1f], folded.Weight);
        Assert.Equal([-1f, 2f], folded.Bias);
    }

    [Fact]
    public void Fold_WithoutNorm_KeepsWeightsAndBias()
    {
        var folded = FoldedConv.Fold([1f, 2f, 3f, 4f], [0.25f], outChannels: 1, inChannels: 1, kernel: 2, norm: null);

        Assert.Equal([1f, 2f, 3f, 4f], folded.Weight);
        Assert.Equal([0.25f], folded.Bias);
    }

    [Fact]
    public void Fold_WithoutNormOrBias_GivesZeroBias()
    {
        var folded = FoldedConv.Fold([1f, 2f], null, outChannels: 2, inChannels: 1, kernel: 1, norm: null);

        Assert.Equal([0f, 0f], folded.Bias);
    }

    [Fact]
    public void Fold_WrongWeightCount_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => FoldedConv.Fold([1f, 2f, 3f], null, outChannels: 2, inChannels: 1, kernel: 1, norm: null));
    }
}
