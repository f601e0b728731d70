using SegAN.Data;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;

namespace SegAN.Tests.Inference;

public sealed class PreparedCaseSegmenterTests
{
    private static SegmentationModelInfo Info() => new(
        "test.segan",
        ModelFileKind.Segan,
        new ModelHeader(1, new SegANArchitecture(Variant.S3_3C, 2, Depth: 2, BaseWidth: 4), ["A", "B"], "brats2021", null, 0, null, DateTimeOffset.UnixEpoch));

    [Fact]
    public void Nest_MakesEnhancingWithinCoreWithinWhole_ByUnion()
    {
        // Given one pixel per pattern in one slice: ET alone, TC alone, WT alone, nothing
        byte[] regions = [0, 0, 1, 0, /* TC */ 0, 1, 0, 0, /* ET */ 1, 0, 0, 0];

        // When nested
        PreparedCaseSegmenter.Nest(regions, depth: 1, plane: 4);

        // Then WT covers every tumour pixel, TC the ET and TC ones, ET only its own
        Assert.Equal(new byte[] { 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0 }, regions);
    }

    [Fact]
    public void Regions_AreTheNestedThresholdedProbabilities_OnlyWhereTheImageHasSignal()
    {
        // Given an engine that says "enhancing, not core, not whole" everywhere and a 16x16 case whose left half has signal
        using var engine = new ConstantEngine(Info(), 0.2f, 0.3f, 0.9f);
        var images = new float[2 * 2 * 16 * 16];
        for (var p = 0; p < 4; p++)
        {
            for (var y = 0; y < 16; y++)
            {
                Array.Fill(images, 1f, (((p * 16) + y) * 16), 8);
            }
        }

        var prepared = SegAN.Tests.Training.PhantomSlices.Prepared("half", images, new float[2 * 3 * 16 * 16], 2, 2, 16);

        // When its regions are predicted
        var regions = new PreparedCaseSegmenter(engine, new PredictOptions()).Regions(prepared);

        // Then all three regions are the left half: ET above the threshold, nested into TC and WT
        for (var i = 0; i < regions.Length; i++)
        {
            Assert.Equal(i % 16 < 8 ? 1 : 0, regions[i]);
        }
    }

    [Fact]
    public void CentreWindow_NeedsTheSliceSize()
    {
        using var engine = new ConstantEngine(Info(), 0, 0, 0);

        Assert.Throws<ArgumentException>(() => new PreparedCaseSegmenter(engine, new PredictOptions(Window: SliceWindow.Centre)));
        Assert.Throws<SegANException>(() => new PreparedCaseSegmenter(engine, new PredictOptions(Window: SliceWindow.Centre), 12));
    }
}
