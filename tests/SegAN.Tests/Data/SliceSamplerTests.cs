using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Tests.Data;

public sealed class SliceSamplerTests
{
    [Fact]
    public void Next_IsReproducible_AndResumesExactlyFromPosition()
    {
        // Given two labelled cases
        var cases = new[] { Case("a", 6, 12, 10, brainSlices: [1, 2, 3, 4]), Case("b", 6, 12, 10, brainSlices: [0, 5]) };
        var options = new SliceSamplerOptions(BatchSize: 5, CropSize: 8, Seed: 42, Prefetch: 2);

        // When one sampler runs four batches and another resumes from position 2
        using var first = new SliceSampler(cases, options);
        var run = Enumerable.Range(0, 4).Select(_ => first.Next()).ToList();
        using var resumed = new SliceSampler(cases, options, position: 2);
        var again = resumed.Next();

        // Then the resumed sampler continues with batch 2, positions count batches, and a rebuild matches
        Assert.Equal(4, first.Position);
        Assert.Equal(3, resumed.Position);
        Assert.Equal(run[2].Images, again.Images);
        Assert.Equal(run[2].Targets, again.Targets);
        Assert.Equal(run[3].Images, SliceSampler.Build(cases, options, 3).Images);
        Assert.NotEqual(run[0].Images, run[1].Images);
        Assert.NotEqual(run[0].Images, SliceSampler.Build(cases, options with { Seed = 43 }, 0).Images);
    }

    [Fact]
    public void Next_SameStream_WhateverTheNumberOfWorkers()
    {
        var cases = new[] { Case("a", 6, 12, 10, brainSlices: [1, 2, 3, 4]) };
        var options = new SliceSamplerOptions(BatchSize: 3, CropSize: 8, Seed: 5, Prefetch: 3, Workers: 1);
        using var one = new SliceSampler(cases, options);
        using var three = new SliceSampler(cases, options with { Workers = 3 }, position: 1);

        // (Materialised before skipping: LINQ may skip Select's calls for skipped items.)
        var expected = Enumerable.Range(0, 8).Select(_ => one.Next()).ToList().Skip(1).ToList();
        var actual = Enumerable.Range(0, 7).Select(_ => three.Next()).ToList();

        var built = Enumerable.Range(1, 7).Select(i => SliceSampler.Build(cases, options, i).Images[0]).ToList();
        Assert.Equal(built, expected.Select(b => b.Images[0]));
        Assert.Equal(built, actual.Select(b => b.Images[0]));
        Assert.Equal(expected.Select(b => b.Images), actual.Select(b => b.Images));
        Assert.Equal(8, three.Position);
    }

    [Fact]
    public void Next_DrawsOnlySlicesWithBrain_WithMatchingTargets()
    {
        // Given a case whose only brain slice is z = 3; each voxel's value encodes (z, c) and the WT target is
        // set where the image is
        var prepared = Case("a", 5, 10, 10, brainSlices: [3]);
        using var sampler = new SliceSampler([prepared], new SliceSamplerOptions(BatchSize: 8, CropSize: 6, Seed: 1));

        // When
        var batch = sampler.Next();

        // Then every item comes from slice 3 and is 6x6, with channel c holding 30 + c + something < 1
        Assert.Equal((8, 2, 6, 6), (batch.Count, batch.Channels, batch.Height, batch.Width));
        for (var i = 0; i < 8; i++)
        {
            for (var c = 0; c < 2; c++)
            {
                var plane = batch.Images.AsSpan(((i * 2) + c) * 36, 36).ToArray();
                Assert.All(plane, v => Assert.Equal(30 + c, Math.Floor(v)));
            }
        }

        Assert.Equal(batch.Count * 3 * 36, batch.Targets.Length);
    }

    [Fact]
    public void Next_FlipsAreLeftRightMirrorImagesOfTheSlice_Only()
    {
        // Given a one-slice case cropped whole (crop = slice size), so each item is the slice, possibly flipped
        var prepared = Case("a", 1, 4, 4, brainSlices: [0]);
        using var sampler = new SliceSampler([prepared], new SliceSamplerOptions(BatchSize: 64, CropSize: 4, Seed: 9));
        var original = SliceCrop.CentreBatch(prepared, 0, 1, 4).Images.AsSpan(0, 16).ToArray();

        // When
        var batch = sampler.Next();

        // Then every item is the slice or its left-right mirror (never flipped front to back); both appear in 64 draws
        var variants = new[] { original, Mirror(original) };
        var seen = new HashSet<int>();
        for (var i = 0; i < 64; i++)
        {
            var item = batch.Images.AsSpan(i * 2 * 16, 16).ToArray();
            var k = Array.FindIndex(variants, v => v.SequenceEqual(item));
            Assert.True(k >= 0);
            seen.Add(k);
        }

        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void Sampler_WithoutLabels_IsAnError_NamingTheCase()
    {
        var prepared = Case("nolabels", 2, 8, 8, brainSlices: [0]) with { Regions = null };
        var e = Assert.Throws<SegANException>(() => new SliceSampler([prepared], new SliceSamplerOptions(CropSize: 8)));
        Assert.Contains("nolabels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasteCentre_InvertsTheCentreCrop()
    {
        // Given a case of 3 slices of 10x12
        var prepared = Case("a", 3, 10, 12, brainSlices: [0, 1, 2]);

        // When centre crops of 6 are taken and pasted back
        var crops = SliceCrop.CentreImages(prepared, 6);
        var pasted = SliceCrop.PasteCentre(crops, 3, 2, 6, 10, 12);

        // Then the centre (rows 2..7, columns 3..8) is the original and the rest is 0
        for (var plane = 0; plane < 6; plane++)
        {
            for (var y = 0; y < 10; y++)
            {
                for (var x = 0; x < 12; x++)
                {
                    var i = (plane * 120) + (y * 12) + x;
                    var inside = y is >= 2 and < 8 && x is >= 3 and < 9;
                    Assert.Equal(inside ? prepared.Image[i] : 0f, pasted[i]);
                }
            }
        }

        Assert.Equal(crops, SliceCrop.CentreBatch(prepared, 0, 3, 6).Images);
        Assert.Equal(3 * 3 * 36, SliceCrop.CentreTargets(prepared, 6).Length);
    }

    private static float[] Mirror(float[] plane)
    {
        var result = new float[16];
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                result[(r * 4) + c] = plane[(r * 4) + 3 - c];
            }
        }

        return result;
    }

    // A prepared case with two channels: Image = 10 z + c + (y W + x) / (H W + 1), distinct per voxel; WT where
    // x is even.
    private static PreparedCase Case(string name, int depth, int height, int width, int[] brainSlices)
    {
        var plane = height * width;
        var image = new float[depth * 2 * plane];
        var regions = new byte[depth * 3 * plane];
        for (var z = 0; z < depth; z++)
        {
            for (var c = 0; c < 2; c++)
            {
                for (var i = 0; i < plane; i++)
                {
                    image[(((z * 2) + c) * plane) + i] = (10 * z) + c + (i / (plane + 1f));
                }
            }

            for (var i = 0; i < plane; i += 2)
            {
                regions[(z * 3 * plane) + i] = 1;
            }
        }

        var hasBrain = Enumerable.Range(0, depth).Select(brainSlices.Contains).ToArray();
        var window = new CropWindow(0, 0, 0, width, height, depth, width, height, depth);
        return new PreparedCase(name, null, ["A", "B"], depth, height, width, image, regions, hasBrain, window,
            ImageGeometry.FromSpacing([width, height, depth], [1, 1, 1]), LabelConvention.Brats2021);
    }
}
