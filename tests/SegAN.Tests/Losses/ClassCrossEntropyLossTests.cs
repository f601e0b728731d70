using SegAN.Losses;
using TorchSharp;

namespace SegAN.Tests.Losses;

public sealed class ClassCrossEntropyLossTests
{
    [Fact]
    public void ClassesFromRegions_AreBackgroundEdemaCoreEnhancing()
    {
        // Given four pixels: background, WT only, WT+TC, WT+TC+ET (channels WT, TC, ET)
        using var scope = torch.NewDisposeScope();
        var regions = torch.tensor(new float[] { 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1 }).reshape(1, 3, 1, 4);

        var classes = ClassCrossEntropyLoss.ClassesFromRegions(regions).flatten().data<long>().ToArray();

        Assert.Equal(new long[] { 0, 1, 2, 3 }, classes);
    }

    [Fact]
    public void ClassCrossEntropy_IsLogFour_ForUniformLogits()
    {
        using var scope = torch.NewDisposeScope();
        var loss = ClassCrossEntropyLoss.Compute(torch.zeros(2, 4, 2, 2), torch.zeros(2, 3, 2, 2)).item<float>();

        Assert.Equal(Math.Log(4), loss, 5);
    }
}
