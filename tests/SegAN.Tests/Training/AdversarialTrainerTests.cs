using SegAN.Models;
using SegAN.Training;
using TorchSharp;

namespace SegAN.Tests.Training;

public sealed class AdversarialTrainerTests
{
    private static SegANArchitecture Arch(Variant variant) => new(variant, PhantomSlices.Channels, Depth: 3, BaseWidth: 4);

    [Theory]
    [InlineData(Variant.S1_1C)]
    [InlineData(Variant.S3_1C)]
    [InlineData(Variant.S3_3C)]
    [InlineData(Variant.S3_3C_S0)]
    [InlineData(Variant.S3_3C_S3)]
    [InlineData(Variant.UNet)]
    public void Step_ReturnsFiniteLosses_ForEveryVariant(Variant variant)
    {
        using var trainer = new AdversarialTrainer(Arch(variant), OptimizerKind.RmsProp, 1e-3, 0.05, 1.0, seed: 1);
        var batch = new PhantomSlices(4, 16, seed: 2).Next();

        var losses = trainer.Step(batch, 1e-3);

        Assert.True(losses.Finite);
        Assert.Equal(variant.CriticCount() > 0, double.IsFinite(losses.Critic));
        Assert.True(losses.Segmentor > 0);
        Assert.InRange(losses.Dice, 0, 1);
    }

    [Theory]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Adam)]
    public void Step_KeepsEveryCriticWeightWithinTheClip_AfterEachCriticStep(OptimizerKind optimizer)
    {
        // Given a large learning rate that would push weights far beyond the clip
        using var trainer = new AdversarialTrainer(Arch(Variant.S3_3C), optimizer, 0.1, 0.02, 0.0, seed: 1);
        var source = new PhantomSlices(4, 16, seed: 2);

        for (var i = 0; i < 3; i++)
        {
            // When a step runs
            trainer.Step(source.Next(), 0.1);

            // Then every critic parameter (convolutions and norms) is within [-clip, clip]
            Assert.All(trainer.Critics.SelectMany(c => c.parameters()), p => Assert.True(p.abs().max().item<float>() <= 0.02f + 1e-7f));
        }
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(1.0, true)]
    public void SegmentorGradient_ReachesItOnlyThroughTheCritic_PlusTheDiceTerm(double diceWeight, bool expectChange)
    {
        // Given S3-3C-s3 (loss on the critics' last scale only) whose critics' last block has all-zero weights: the
        // last-scale features no longer depend on the masked images, so the adversarial path carries no gradient
        // (and the critic, whose loss is then constant, has none either)
        using var trainer = new AdversarialTrainer(Arch(Variant.S3_3C_S3), OptimizerKind.RmsProp, 1e-2, 0.05, diceWeight, seed: 1);
        foreach (var critic in trainer.Critics)
        {
            using var noGrad = torch.no_grad();
            foreach (var (name, p) in critic.named_parameters().Where(p => p.name.StartsWith("down.2.", StringComparison.Ordinal)))
            {
                p.zero_();
            }
        }

        var before = Snapshot(trainer.Segmentor);

        // When one step runs
        var losses = trainer.Step(new PhantomSlices(4, 16, seed: 2).Next(), 1e-2);

        // Then without the Dice term the segmentor's weights do not move; with it they do
        var changed = Snapshot(trainer.Segmentor).Zip(before).Any(p => !p.First.SequenceEqual(p.Second));
        Assert.Equal(0, losses.Segmentor, 6);
        Assert.Equal(expectChange, changed);
    }

    [Fact]
    public void SegmentorGradient_FlowsThroughAnIntactCritic_WithoutTheDiceTerm()
    {
        // The positive control of the test above: same setting, critic untouched
        using var trainer = new AdversarialTrainer(Arch(Variant.S3_3C_S3), OptimizerKind.RmsProp, 1e-2, 0.05, 0.0, seed: 1);
        var before = Snapshot(trainer.Segmentor);

        trainer.Step(new PhantomSlices(4, 16, seed: 2).Next(), 1e-2);

        Assert.Contains(Snapshot(trainer.Segmentor).Zip(before), p => !p.First.SequenceEqual(p.Second));
    }

    [Fact]
    public void Step_LeavesNoLiveTensor_BehindIt()
    {
        // Given a trainer that has already made its first step (optimiser state and gradients exist from then on)
        using var trainer = new AdversarialTrainer(Arch(Variant.S3_3C), OptimizerKind.RmsProp, 1e-3, 0.05, 1.0, seed: 1);
        var source = new PhantomSlices(4, 16, seed: 2);
        trainer.Step(source.Next(), 1e-3);
        trainer.Step(source.Next(), 1e-3);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        // When more steps run
        for (var i = 0; i < 3; i++)
        {
            trainer.Step(source.Next(), 1e-3);
        }

        // Then the number of live tensors is unchanged
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Step_StopsBeforeUpdating_WhenTheLossIsNotFinite()
    {
        using var trainer = new AdversarialTrainer(Arch(Variant.S3_3C), OptimizerKind.RmsProp, 1e-3, 0.05, 1.0, seed: 1);
        var batch = new PhantomSlices(2, 16, seed: 2).Next();
        batch.Images[5] = float.NaN;
        var before = Snapshot(trainer.Segmentor);

        var losses = trainer.Step(batch, 1e-3);

        Assert.False(losses.Finite);
        Assert.All(Snapshot(trainer.Segmentor).Zip(before), p => Assert.Equal(p.Second, p.First));
    }

    [Theory]
    [InlineData(Variant.S3_3C)]
    [InlineData(Variant.UNet)]
    public void Step_GivesTheSameLossesAndWeights_WithAndWithoutChannelsLast(Variant variant)
    {
        // Given two trainers with the same seed, one feeding NCHW tensors and one channels last (the default)
        using var nchw = new AdversarialTrainer(Arch(variant), OptimizerKind.RmsProp, 1e-3, 0.05, 1.0, seed: 1) { ChannelsLast = false };
        using var nhwc = new AdversarialTrainer(Arch(variant), OptimizerKind.RmsProp, 1e-3, 0.05, 1.0, seed: 1);
        Assert.True(nhwc.ChannelsLast);
        var source = new PhantomSlices(4, 16, seed: 2);

        // When both make the same two steps
        StepLosses a = default, b = default;
        for (var i = 0; i < 2; i++)
        {
            var batch = source.Next();
            a = nchw.Step(batch, 1e-3);
            b = nhwc.Step(batch, 1e-3);
        }

        // Then the memory layout changed only the summation order: losses and weights agree to rounding
        Assert.Equal(a.Segmentor, b.Segmentor, 4);
        Assert.Equal(a.Dice, b.Dice, 4);
        Assert.Equal(double.IsNaN(a.Critic), double.IsNaN(b.Critic));
        if (!double.IsNaN(a.Critic))
        {
            Assert.Equal(a.Critic, b.Critic, 4);
        }

        Assert.All(Snapshot(nchw.Segmentor).Zip(Snapshot(nhwc.Segmentor)), p => Assert.All(p.First.Zip(p.Second), w => Assert.Equal(w.First, w.Second, 3)));
    }

    [Fact]
    public void ToTensors_StoresImagesChannelsLast_ByDefault()
    {
        // Given a trainer with its default settings and a (2, C, 16, 16) batch
        using var trainer = new AdversarialTrainer(Arch(Variant.S3_3C), OptimizerKind.RmsProp, 1e-3, 0.05, 1.0, seed: 1);
        var batch = new PhantomSlices(2, 16, seed: 2).Next();
        using var scope = torch.NewDisposeScope();

        // When the batch becomes tensors
        var (images, truth) = trainer.ToTensors(batch);

        // Then the shape is NCHW, the channel stride is 1 (NHWC storage) and the values are the batch's
        Assert.Equal([2, PhantomSlices.Channels, 16, 16], images.shape);
        Assert.Equal(1, images.stride(1));
        Assert.Equal(1, truth.stride(1));
        Assert.Equal(batch.Images, images.contiguous().data<float>().ToArray());
    }

    internal static List<float[]> Snapshot(torch.nn.Module module) =>
        [.. module.parameters().Select(p => p.detach().cpu().flatten().data<float>().ToArray())];
}
