using SegAN.Models;
using TorchSharp;

namespace SegAN.Tests.Models;

public sealed class SegmentorTests
{
    [Theory]
    [InlineData(4, 64, 32)]
    [InlineData(2, 8, 16)]
    [InlineData(1, 4, 8)]
    public void Segmentor_ReturnsFullResolutionLogits_ForAnyDepth(int depth, int width, int size)
    {
        // Given a segmentor with 4 input modalities and 3 outputs
        using var scope = torch.NewDisposeScope();
        using var segmentor = new Segmentor(4, 3, depth, width);

        // When it sees a batch of 2
        var y = segmentor.forward(torch.randn(2, 4, size, size));

        // Then it returns one map per output at the input's size
        Assert.Equal(new long[] { 2, 3, size, size }, y.shape);
    }

    [Fact]
    public void Segmentor_HasThePapersEncoderWidths_AtDepthFour()
    {
        // Given the paper's segmentor (Fig. 1) on 3 modalities
        using var segmentor = new Segmentor(3, 3);

        // When its parameters are listed by name
        var shapes = segmentor.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);

        // Then the encoder has 64, 128, 256, 512 maps of 4x4 kernels, the first without batch norm, and the
        // decoder mirrors the reference: 512->256, (256+256)->128, (128+128)->64, (64+64)->3 with 3x3 kernels
        Assert.Equal(new long[] { 64, 3, 4, 4 }, shapes["down.0.conv.weight"]);
        Assert.True(shapes.ContainsKey("down.0.conv.bias"));
        Assert.False(shapes.ContainsKey("down.0.bn.weight"));
        Assert.Equal(new long[] { 512, 256, 4, 4 }, shapes["down.3.conv.weight"]);
        Assert.Equal(new long[] { 512 }, shapes["down.3.bn.weight"]);
        Assert.Equal(new long[] { 256, 512, 3, 3 }, shapes["up.0.conv.weight"]);
        Assert.Equal(new long[] { 128, 512, 3, 3 }, shapes["up.1.conv.weight"]);
        Assert.Equal(new long[] { 64, 256, 3, 3 }, shapes["up.2.conv.weight"]);
        Assert.Equal(new long[] { 3, 128, 3, 3 }, shapes["up.3.conv.weight"]);
        Assert.True(shapes.ContainsKey("up.3.conv.bias"));
        Assert.False(shapes.ContainsKey("up.3.bn.weight"));
    }

    [Fact]
    public void RegionSegmentor_RejectsSlices_NotDivisibleByTwoToTheDepth()
    {
        // Given a depth-4 S3-3C network
        using var scope = torch.NewDisposeScope();
        using var net = new RegionSegmentor(new SegANArchitecture(Variant.S3_3C, 2, Depth: 4, BaseWidth: 4));

        // When it sees 40x40 slices (40 is not a multiple of 16)
        var e = Assert.Throws<SegANException>(() => net.forward(torch.zeros(1, 2, 40, 40)));

        // Then the error names the size and the required multiple
        Assert.Contains("40x40", e.Message, StringComparison.Ordinal);
        Assert.Contains("multiples of 16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegionSegmentor_RejectsWrongChannelCount()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new RegionSegmentor(new SegANArchitecture(Variant.S3_3C, 4, Depth: 2, BaseWidth: 4));

        var e = Assert.Throws<SegANException>(() => net.forward(torch.zeros(1, 3, 16, 16)));

        Assert.Contains("(N, 4, H, W)", e.Message, StringComparison.Ordinal);
    }
}
