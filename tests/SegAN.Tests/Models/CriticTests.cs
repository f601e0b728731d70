using SegAN.Models;
using TorchSharp;

namespace SegAN.Tests.Models;

public sealed class CriticTests
{
    [Fact]
    public void Critic_ReturnsInputAndThreeHalvingScales()
    {
        // Given the paper's critic on 4-channel masked images
        using var scope = torch.NewDisposeScope();
        using var critic = new Critic(4);
        var x = torch.randn(2, 4, 32, 32);

        // When it extracts features
        var f = critic.forward(x);

        // Then scale 0 is the input and scales 1..3 have 64, 128, 256 maps at 1/2, 1/4, 1/8 resolution
        Assert.Equal(4, f.Length);
        Assert.True(f[0].equal(x).all().item<bool>());
        Assert.Equal(new long[] { 2, 64, 16, 16 }, f[1].shape);
        Assert.Equal(new long[] { 2, 128, 8, 8 }, f[2].shape);
        Assert.Equal(new long[] { 2, 256, 4, 4 }, f[3].shape);
    }

    [Fact]
    public void Critic_HasBatchNormAfterTheFirstBlockOnly()
    {
        using var critic = new Critic(3);

        var names = critic.named_parameters().Select(p => p.name).ToHashSet();

        Assert.DoesNotContain("down.0.bn.weight", names);
        Assert.Contains("down.0.conv.bias", names);
        Assert.Contains("down.1.bn.weight", names);
        Assert.Contains("down.2.bn.weight", names);
    }

    [Fact]
    public void ClampWeights_BoundsEveryParameter()
    {
        using var critic = new Critic(3, depth: 3, baseWidth: 8);

        critic.ClampWeights(0.01);

        Assert.All(critic.parameters(), p => Assert.True(p.abs().max().item<float>() <= 0.01f));
    }
}
