using SegAN.Models;
using TorchSharp;

namespace SegAN.Tests.Models;

public sealed class RegionSegmentorTests
{
    public static TheoryData<Variant> Variants() => [.. VariantExtensions.All];

    [Theory]
    [MemberData(nameof(Variants))]
    public void RegionSegmentor_ReturnsThreeRegionProbabilities_ForEveryVariant(Variant variant)
    {
        // Given a small network of the variant on 3 modalities
        using var scope = torch.NewDisposeScope();
        using var net = new RegionSegmentor(new SegANArchitecture(variant, 3, Depth: 3, BaseWidth: 4));

        // When it segments a batch of 2 slices of 16x24
        var p = net.forward(torch.randn(2, 3, 16, 24));

        // Then it returns (N, 3, H, W) probabilities
        Assert.Equal(new long[] { 2, 3, 16, 24 }, p.shape);
        Assert.True(p.min().item<float>() >= 0f);
        Assert.True(p.max().item<float>() <= 1f);
    }

    [Theory]
    [InlineData(Variant.S1_1C, 3, 1)]
    [InlineData(Variant.S3_3C, 1, 3)]
    [InlineData(Variant.UNet, 1, 4)]
    public void RegionSegmentor_BuildsTheVariantsSegmentors(Variant variant, int segmentors, int outputs)
    {
        using var net = new RegionSegmentor(new SegANArchitecture(variant, 2, Depth: 2, BaseWidth: 4));

        var lastWeights = net.named_parameters().Where(p => p.name.EndsWith("up.1.conv.weight", StringComparison.Ordinal)).ToList();

        Assert.Equal(segmentors, lastWeights.Count);
        Assert.All(lastWeights, w => Assert.Equal(outputs, w.parameter.shape[0]));
    }

    [Fact]
    public void RegionsFromClassLogits_AreCumulativeClassProbabilities()
    {
        // Given logits whose softmax is (0.1, 0.2, 0.3, 0.4) at one pixel
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }).log().reshape(1, 4, 1, 1);

        // When they become region probabilities
        var r = RegionSegmentor.RegionsFromClassLogits(logits).flatten().data<float>().ToArray();

        // Then WT = p1+p2+p3 = 0.9, TC = p2+p3 = 0.7, ET = p3 = 0.4
        Assert.Equal(0.9f, r[0], 5);
        Assert.Equal(0.7f, r[1], 5);
        Assert.Equal(0.4f, r[2], 5);
    }
}
