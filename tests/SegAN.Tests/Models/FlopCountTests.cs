using SegAN.Models;

namespace SegAN.Tests.Models;

public sealed class FlopCountTests
{
    [Fact]
    public void TrainingPerSlice_CountsForwardAndNeededGradients_ForTinyUNet()
    {
        // Given a U-Net of depth 1, width 2, one modality, on a 2x2 slice:
        // down 1->2, k4, out 1x1: 2*1*2*16*1 = 64; up 2->4 classes, k3, out 2x2: 2*2*4*9*4 = 576.
        var architecture = new SegANArchitecture(Variant.UNet, InChannels: 1, Depth: 1, BaseWidth: 2, CriticDepth: 1);

        // When its costs are counted
        var inference = FlopCount.InferencePerSlice(architecture, 2, 2);
        var training = FlopCount.TrainingPerSlice(architecture, 2, 2);

        // Then inference is the forward sum and training 3x it less the first layer's unneeded input gradient.
        Assert.Equal(640, inference);
        Assert.Equal((3 * 640) - 64, training);
    }

    [Fact]
    public void TrainingPerSlice_AddsThreeCritics_ForTinyS33C()
    {
        // Given S3-3C of depth 1, width 2, critic depth 1, one modality, on 2x2: segmentor 64 + (2*2*3*9*4 = 432);
        // each critic one conv 1->2, k4, out 1x1 = 64.
        var architecture = new SegANArchitecture(Variant.S3_3C, InChannels: 1, Depth: 1, BaseWidth: 2, CriticDepth: 1);

        // When
        var training = FlopCount.TrainingPerSlice(architecture, 2, 2);

        // Then segmentor 3*496 - 64 = 1424, critics 3 * (9*64 - 2*64) = 1344.
        Assert.Equal(1424 + 1344, training);
    }

    [Fact]
    public void InferencePerSlice_IsAbout6Point2Gflop_ForThePapersSegmentorAt160()
    {
        // Given the paper's S3-3C segmentor (three modalities, depth 4, width 64) at 160x160, summed by hand per layer:
        // down 39,321,600 + 3 x 419,430,400; up 943,718,400 + 2 x 1,887,436,800 + 176,947,200.
        var architecture = new SegANArchitecture(Variant.S3_3C, InChannels: 3);

        // When / Then
        Assert.Equal(6_193_152_000, FlopCount.InferencePerSlice(architecture, 160, 160));
        Assert.Equal(8, FlopCount.Segmentor(architecture, 160, 160).Count);
        Assert.Equal(3, FlopCount.Critic(architecture, 160, 160).Count);
    }
}
