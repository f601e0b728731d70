using SegAN.Data;
using SegAN.Inference;
using SegAN.Metrics;
using SegAN.Models;
using SegAN.Tests.Inference;
using SegAN.Training;
using TorchSharp;

namespace SegAN.Tests.Training;

public sealed class ValidatorTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-validator-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData(3, 4, 5, 6.0 / 9)]
    [InlineData(0, 0, 0, 1.0)]
    [InlineData(0, 5, 0, 0.0)]
    public void Dice_MatchesTheDefinition_WithEmptyEqualsOne(long intersection, long predicted, long truth, double expected)
    {
        Assert.Equal(expected, ConfusionCounts.DiceOf(intersection, predicted, truth), 12);
    }

    [Theory]
    [InlineData(Variant.S3_3C)]
    [InlineData(Variant.UNet)]
    public void Evaluate_GivesTheDiceOfPredictingTheCase_WithCasePredictor(Variant variant)
    {
        // Given a phantom case on disk, its grid covering the whole volume so that both scorings see every voxel, and
        // a random two-modality network saved as model.segan
        using var network = SegAN.Tests.Export.ExportTestModels.Random(variant);
        var (files, recipe, modelPath) = PhantomModelCase.Write(_root, network, new PreprocessOptions(CropX: 48, CropY: 48, CropZ: 48));

        // When segan predict's path segments the files and the result is scored against the case's label file
        CaseSegmentation predicted;
        using (var engine = EngineFactory.Open(modelPath, EngineKind.Torch, SegAN.Compute.DeviceSpec.Cpu, 0))
        {
            predicted = new CasePredictor(engine, recipe, new PredictOptions(BatchSize: 16)).Segment(files);
        }

        var volumes = CaseLoader.Load(files);
        var truth = BratsLabels.ToRegions(volumes.Segmentation!.Data, LabelConvention.Brats2021, "truth");
        var mine = BratsLabels.ToRegions(predicted.Labels.Data, LabelConvention.Brats2021, "prediction");
        var n = truth.Length / 3;
        var byPrediction = Enumerable.Range(0, 3).Select(r => ConfusionCounts.Count(mine.AsSpan(r * n, n), truth.AsSpan(r * n, n)).Dice).ToArray();

        // And validation scores the same case, prepared in memory, with the live network
        var prepared = Preprocessor.Prepare(volumes, recipe.Preprocess, LabelConvention.Brats2021);
        network.train();
        var validation = Validator.Evaluate(network, new InMemoryValidationSet([prepared]), 16);

        // Then the two Dice agree exactly, on a case where the network is neither all right nor all wrong
        Assert.Equal(byPrediction, new[] { validation.Wt, validation.Tc, validation.Et });
        Assert.Contains(byPrediction, d => d > 0 && d < 1);
        Assert.True(network.training);
    }

    [Fact]
    public void Evaluate_RunsTheLiveNetwork_WithoutMovingOrCopyingItsWeights()
    {
        // Given a network in training and the handles of its parameters (what the optimiser holds)
        var set = PhantomSlices.Validation(1, 2, 16, seed: 1);
        using var net = new RegionSegmentor(new SegANArchitecture(Variant.S3_3C, 2, Depth: 2, BaseWidth: 4));
        var handles = net.parameters().Select(p => p.Handle).ToArray();

        // When it is validated and one weight changes afterwards
        var before = Validator.Evaluate(net, set, 2);
        using (torch.no_grad())
        {
            foreach (var p in net.parameters())
            {
                p.zero_();
            }
        }

        var after = Validator.Evaluate(net, set, 2);

        // Then the parameters are the same tensors, and validation sees the change (all-zero weights give 0.5
        // everywhere: nothing above the threshold)
        Assert.Equal(handles, net.parameters().Select(p => p.Handle).ToArray());
        Assert.NotEqual(before.Cases[0], after.Cases[0]);
        Assert.Equal(0.0, after.Wt);
    }

    [Fact]
    public void Evaluate_ScoresOneForAPerfectSegmentor_AndBatchesDoNotMatter()
    {
        // Given a U-Net whose output layer is forced to say "background" everywhere, and a case with signal but without tumour
        torch.random.manual_seed(1);
        using var net = new RegionSegmentor(new SegANArchitecture(Variant.UNet, 2, Depth: 2, BaseWidth: 4));
        ForceOutput(net, firstOnly: true);

        var images = new float[3 * 2 * 16 * 16];
        Array.Fill(images, 0.5f);
        var empty = PhantomSlices.Prepared("empty", images, new float[3 * 3 * 16 * 16], 3, 2, 16);
        var set = new InMemoryValidationSet([empty]);

        // When it is validated in batches of 1 and of 8 slices
        var a = Validator.Evaluate(net, set, 1);
        var b = Validator.Evaluate(net, set, 8);

        // Then empty prediction and empty truth give Dice 1 for every region, whatever the batching
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
        ForceOutput(net, firstOnly: false);

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

        var set = new InMemoryValidationSet([PhantomSlices.Prepared("half", images, targets, Slices, 2, Size)]);
        using (var scope = torch.NewDisposeScope())
        {
            Assert.True(net.forward(torch.tensor(images, [Slices, 2, Size, Size])).gt(0.5).all().item<bool>()); // the network does mark the air too
        }

        // When it is validated
        var result = Validator.Evaluate(net, set, 2);

        // Then the air does not count against it: Dice 1 for every region (0.667 if it did)
        Assert.Equal(1.0, result.Mean);
    }

    [Fact]
    public void Evaluate_RefusesACaseWithTheWrongChannels_NamingIt()
    {
        using var net = new RegionSegmentor(new SegANArchitecture(Variant.S3_3C, 3, Depth: 2, BaseWidth: 4));

        var e = Assert.Throws<SegANException>(() => Validator.Evaluate(net, PhantomSlices.Validation(1, 2, 16, seed: 1), 2));

        Assert.Contains("case0 has 2 channels; the network expects 3", e.Message, StringComparison.Ordinal);
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

    /// <summary>Zeroes the last layer and sets its bias to 10: "background" (first region only) or "tumour" (all) everywhere.</summary>
    private static void ForceOutput(RegionSegmentor net, bool firstOnly)
    {
        using (torch.no_grad())
        {
            foreach (var (name, p) in net.named_parameters().Where(p => p.name.Contains("up.1.conv", StringComparison.Ordinal)))
            {
                p.zero_();
                if (name.EndsWith("bias", StringComparison.Ordinal))
                {
                    if (firstOnly)
                    {
                        p[0] = torch.tensor(10f);
                    }
                    else
                    {
                        p.fill_(10f);
                    }
                }
            }
        }
    }
}
