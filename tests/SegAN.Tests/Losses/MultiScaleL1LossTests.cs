using SegAN.Losses;
using SegAN.Models;
using TorchSharp;

namespace SegAN.Tests.Losses;

public sealed class MultiScaleL1LossTests
{
    // A one-block critic on one channel whose 4x4 kernel is all 0.5 and bias 0: on a 2x2 image (padded to 4x4) its
    // single output is LeakyReLU(0.5 * sum of the pixels).
    private static Critic TinyCritic()
    {
        var critic = new Critic(1, depth: 1, baseWidth: 1);
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in critic.named_parameters())
        {
            p.fill_(name.EndsWith("weight", StringComparison.Ordinal) ? 0.5 : 0.0);
        }

        return critic;
    }

    [Theory]
    [InlineData(LossScales.All, 0.75)]
    [InlineData(LossScales.InputOnly, 0.5)]
    [InlineData(LossScales.LastOnly, 1.0)]
    public void MultiScaleL1Loss_MatchesHandComputation_OnATinyCritic(LossScales scales, double expected)
    {
        // Given image x = [1 2; 3 4], truth y = [1 1; 0 0], prediction S(x) = [1 0; 0 0]
        using var scope = torch.NewDisposeScope();
        using var critic = TinyCritic();
        var x = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);
        var fake = x * torch.tensor(new float[] { 1, 0, 0, 0 }).reshape(1, 1, 2, 2);
        var real = x * torch.tensor(new float[] { 1, 1, 0, 0 }).reshape(1, 1, 2, 2);

        // When the loss compares the critic's features of x o S(x) and x o y
        var loss = MultiScaleL1Loss.Between(critic.forward(fake), critic.forward(real), scales).item<float>();

        // Then scale 0: mean |[1 0 0 0] - [1 2 0 0]| = 2/4 = 0.5; scale 1: |0.5*1 - 0.5*3| = 1; all: (0.5 + 1)/2 = 0.75
        Assert.Equal(expected, loss, 6);
    }

    [Theory]
    [InlineData(Variant.S1_1C)]
    [InlineData(Variant.S3_1C)]
    [InlineData(Variant.S3_3C)]
    [InlineData(Variant.S3_3C_S0)]
    [InlineData(Variant.S3_3C_S3)]
    public void MultiScaleL1Loss_IsZero_WhenPredictionEqualsTruth(Variant variant)
    {
        // Given critics of the variant (eval mode: batch norm must not see two different batches)
        using var scope = torch.NewDisposeScope();
        var critics = Critics(variant, channels: 2);
        var x = torch.rand(2, 2, 16, 16);
        var y = torch.rand(2, 3, 16, 16).gt(0.5).to(torch.float32);

        // When the prediction is the truth, and when it is not
        var same = MultiScaleL1Loss.Compute(variant, critics, x, y, y).item<float>();
        var different = MultiScaleL1Loss.Compute(variant, critics, x, 1 - y, y).item<float>();

        // Then the loss is zero, and positive
        Assert.Equal(0f, same);
        Assert.True(different > 0f, $"loss {different}");
    }

    [Fact]
    public void MultiScaleL1Loss_S3_3C_AveragesThePerRegionCriticLosses()
    {
        // Given three critics and random data
        using var scope = torch.NewDisposeScope();
        var critics = Critics(Variant.S3_3C, channels: 2);
        var x = torch.rand(2, 2, 16, 16);
        var p = torch.rand(2, 3, 16, 16);
        var y = torch.rand(2, 3, 16, 16).gt(0.5).to(torch.float32);

        // When the variant's loss is computed
        var loss = MultiScaleL1Loss.Compute(Variant.S3_3C, critics, x, p, y).item<float>();

        // Then it is the mean of critic k's multi-scale loss on the images masked by region k
        var expected = Enumerable.Range(0, 3).Average(k =>
            MultiScaleL1Loss.Between(critics[k].forward(x * p.narrow(1, k, 1)), critics[k].forward(x * y.narrow(1, k, 1))).item<float>());
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void MultiScaleL1Loss_S3_1C_FeedsOneCriticTheConcatenatedMaskedImages()
    {
        using var scope = torch.NewDisposeScope();
        var critics = Critics(Variant.S3_1C, channels: 2);
        var x = torch.rand(2, 2, 16, 16);
        var p = torch.rand(2, 3, 16, 16);
        var y = torch.rand(2, 3, 16, 16).gt(0.5).to(torch.float32);

        var loss = MultiScaleL1Loss.Compute(Variant.S3_1C, critics, x, p, y).item<float>();

        // The reference concatenates x*p_0, x*p_1, x*p_2 along channels (6 channels for 2 modalities)
        var fake = torch.cat([x * p.narrow(1, 0, 1), x * p.narrow(1, 1, 1), x * p.narrow(1, 2, 1)], 1);
        var real = torch.cat([x * y.narrow(1, 0, 1), x * y.narrow(1, 1, 1), x * y.narrow(1, 2, 1)], 1);
        var expected = MultiScaleL1Loss.Between(critics[0].forward(fake), critics[0].forward(real)).item<float>();
        Assert.Equal(expected, loss, 5);
    }

    [Fact]
    public void Mask_MultipliesEveryModalityChannelByTheLabelMap()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }).reshape(1, 2, 2, 2);
        var map = torch.tensor(new float[] { 1, 0, 0, 0.5f }).reshape(1, 1, 2, 2);

        var masked = MultiScaleL1Loss.Mask(x, map).flatten().data<float>().ToArray();

        Assert.Equal(new float[] { 1, 0, 0, 2, 5, 0, 0, 4 }, masked);
    }

    private static Critic[] Critics(Variant variant, int channels)
    {
        torch.random.manual_seed(3);
        var critics = Enumerable.Range(0, variant.CriticCount())
            .Select(_ => new Critic(variant.CriticInputChannels(channels), depth: 3, baseWidth: 4))
            .ToArray();
        foreach (var c in critics)
        {
            c.eval();
        }

        return critics;
    }
}
