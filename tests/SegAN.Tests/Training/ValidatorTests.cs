using SegAN.Metrics;
using SegAN.Models;
using SegAN.Training;
using TorchSharp;

namespace SegAN.Tests.Training;

public sealed class ValidatorTests
{
    [Theory]
    [InlineData(3, 4, 5, 6.0 / 9)]
    [InlineData(0, 0, 0, 1.0)]
    [InlineData(0, 5, 0, 0.0)]
    public void Dice_MatchesTheDefinition_WithEmptyEqualsOne(long intersection, long predicted, long truth, double expected)
    {
        Assert.Equal(expected, ConfusionCounts.DiceOf(intersection, predicted, truth), 12);
    }

    [Fact]
    public void Evaluate_ScoresOneForAPerfectSegmentor_AndChunksDoNotMatter()
    {
        // Given a U-Net whose output layer is forced to say "background" everywhere, and cases without tumour
        torch.random.manual_seed(1);
        using var net = new RegionSegmentor(new SegANArchitecture(Variant.UNet, 2, Depth: 2, BaseWidth: 4));
        using (torch.no_grad())
        {
            foreach (var (name, p) in net.named_parameters().Where(p => p.name.Contains("up.1.conv", StringComparison.Ordinal)))
            {
                p.zero_();
                if (name.EndsWith("bias", StringComparison.Ordinal))
                {
                    p[0] = torch.tensor(10f);
                }
            }
        }

        var empty = new ValidationCase("empty", new float[3 * 2 * 16 * 16], new float[3 * 3 * 16 * 16], 3, 2, 16, 16);
        var set = new InMemoryValidationSet([empty]);

        // When it is validated in chunks of 1 and of 8 slices
        var a = Validator.Evaluate(net, set, 1);
        var b = Validator.Evaluate(net, set, 8);

        // Then empty prediction and empty truth give Dice 1 for every region, whatever the chunking
        Assert.Equal(1.0, a.Mean);
        Assert.Equal(a, b with { Cases = a.Cases });
        Assert.True(net.training);
    }

    [Fact]
    public void Evaluate_CountsPredictionsOnlyWhereTheImageHasSignal()
    {
        // Given a segmentor forced to say "tumour" (all three regions) everywhere
        torch.random.manual_seed(1);
        using var net = new RegionSegmentor(new SegANArchitecture(Variant.S3_1C, 2, Depth: 2, BaseWidth: 4));
        using (torch.no_grad())
        {
            foreach (var (name, p) in net.named_parameters().Where(p => p.name.Contains("up.1.conv", StringComparison.Ordinal)))
            {
                p.zero_();
                if (name.EndsWith("bias", StringComparison.Ordinal))
                {
                    p.fill_(10f);
                }
            }
        }

        // And a case whose left half has signal and is all tumour, the right half zero (air) and no tumour
        const int Size = 16, Slices = 2;
        var images = new float[Slices * 2 * Size * Size];
        var targets = new float[Slices * 3 * Size * Size];
        for (var z = 0; z < Slices; z++)
        {
            for (var y = 0; y < Size; y++)
            {
                for (var x = 0; x < Size / 2; x++)
                {
                    images[(((z * 2) + 1) * Size * Size) + (y * Size) + x] = 0.7f; // signal in the second channel only
                    for (var r = 0; r < 3; r++)
                    {
                        targets[(((z * 3) + r) * Size * Size) + (y * Size) + x] = 1;
                    }
                }
            }
        }

        var set = new InMemoryValidationSet([new ValidationCase("half", images, targets, Slices, 2, Size, Size)]);
        var forward = net.forward(torch.tensor(images, [Slices, 2, Size, Size]));
        Assert.True(forward.gt(0.5).all().item<bool>()); // the network does mark the air too

        // When it is validated
        var result = Validator.Evaluate(net, set, 2);

        // Then the air does not count against it: Dice 1 for every region (0.667 if it did)
        Assert.Equal(1.0, result.Mean);
    }

    [Fact]
    public void Evaluate_And_Run_LeaveNoLiveTensor()
    {
        // Given a validation set and a network
        var set = PhantomSlices.Validation(2, 3, 16, seed: 1);
        using var net = new RegionSegmentor(new SegANArchitecture(Variant.S3_3C, 2, Depth: 2, BaseWidth: 4));
        Validator.Evaluate(net, set, 2);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        // When it is validated again
        Validator.Evaluate(net, set, 2);

        // Then no tensor is left alive
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Nest_MakesEnhancingWithinCoreWithinWhole_ByUnion()
    {
        // Given one pixel per pattern: ET alone, TC alone, WT alone, nothing
        using var scope = torch.NewDisposeScope();
        var regions = torch.tensor(new[] { false, false, true, false, false, true, false, false, true, false, false, false }, [1, 3, 2, 2]);

        // When nested
        var nested = Validator.Nest(regions).data<bool>().ToArray();

        // Then WT covers every tumour pixel, TC the ET and TC ones, ET only its own
        Assert.Equal(new[] { true, true, true, false, true, true, false, false, true, false, false, false }, nested);
    }
}
