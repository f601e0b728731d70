using System.Diagnostics;
using System.Globalization;
using SegAN.Data;
using Xunit.Abstractions;

namespace SegAN.Tests.Data;

public sealed class PhantomGeneratorTests(ITestOutputHelper output)
{
    private static readonly string[] ModalityNames = ["T1", "T1c", "T2", "FLAIR"];

    [Fact]
    public void Phantoms_NoSingleModalityThresholdSegmentsAllThreeRegions()
    {
        // Given four phantoms (64^3 to keep the test fast)
        var phantoms = Enumerable.Range(0, 4).Select(i => PhantomGenerator.Generate(new PhantomOptions(Size: 64, Seed: 11), i)).ToList();

        // When each modality's best single threshold (either direction, over head voxels) is found per region
        var table = new double[4, 3];
        for (var m = 0; m < 4; m++)
        {
            var values = new List<float>();
            var bits = new List<byte>();
            foreach (var p in phantoms)
            {
                var image = p.Images[m].Data;
                var regions = BratsLabels.ToRegions(p.Segmentation.Data, p.Labels, p.Name);
                var n = image.Length;
                for (var i = 0; i < n; i++)
                {
                    if (p.T1.Data[i] != 0 || p.T2.Data[i] != 0)
                    {
                        values.Add(image[i]);
                        bits.Add((byte)(regions[i] | (regions[n + i] << 1) | (regions[(2 * n) + i] << 2)));
                    }
                }
            }

            for (var r = 0; r < 3; r++)
            {
                table[m, r] = ThresholdDice.Best([.. values], [.. bits], r);
            }
        }

        // Then report the figures, and no modality reaches Dice 0.8 on all three regions
        output.WriteLine("best single-threshold Dice (WT, TC, ET):");
        for (var m = 0; m < 4; m++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ModalityNames[m],-6} {table[m, 0]:F3} {table[m, 1]:F3} {table[m, 2]:F3}"));
        }

        for (var m = 0; m < 4; m++)
        {
            Assert.False(table[m, 0] > 0.8 && table[m, 1] > 0.8 && table[m, 2] > 0.8, $"{ModalityNames[m]} segments all three regions by a threshold");
        }

        // And the regions show where they do in real MRI (the phantoms are not noise): the whole tumour on FLAIR,
        // the enhancing tumour on T1c
        Assert.True(table[3, 0] > 0.6, "the whole tumour is invisible on FLAIR");
        Assert.True(table[1, 2] > 0.4, "the enhancing tumour is invisible on T1c");
    }

    [Fact]
    public void Generate_IsFast_AndHasEveryLabelAndTissueLevel()
    {
        var watch = Stopwatch.StartNew();
        var phantom = PhantomGenerator.Generate(new PhantomOptions(Seed: 5), 0);
        watch.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"96^3 phantom in {watch.ElapsedMilliseconds} ms"));

        Assert.Equal([0f, 1f, 2f, 4f], phantom.Segmentation.Data.Distinct().Order());
        Assert.Equal([96, 96, 96], phantom.T1c.Geometry.Shape);
        Assert.Equal(0f, phantom.Flair.Data[0]);
        Assert.All(phantom.Images, v => Assert.True(v.Data.All(x => x == MathF.Round(x) && x >= 0 && x < short.MaxValue)));
    }

    [Fact]
    public void Generate_SameSeed_SameVoxels_OtherSeed_OtherVoxels()
    {
        var a = PhantomGenerator.Generate(new PhantomOptions(Size: 48, Seed: 2), 1);
        var b = PhantomGenerator.Generate(new PhantomOptions(Size: 48, Seed: 2), 1);
        var c = PhantomGenerator.Generate(new PhantomOptions(Size: 48, Seed: 3), 1);

        Assert.Equal(a.T2.Data, b.T2.Data);
        Assert.Equal(a.Segmentation.Data, b.Segmentation.Data);
        Assert.NotEqual(a.T2.Data, c.T2.Data);
    }

    [Fact]
    public void Generate_Brats2023_UsesEnhancingLabel3()
    {
        var phantom = PhantomGenerator.Generate(new PhantomOptions(Size: 48, Seed: 1, Labels: LabelConvention.Brats2023), 0);
        Assert.Equal([0f, 1f, 2f, 3f], phantom.Segmentation.Data.Distinct().Order());
    }
}

/// <summary>The best Dice a single intensity threshold reaches for a region, thresholding above or below.</summary>
internal static class ThresholdDice
{
    public static double Best(float[] values, byte[] regionBits, int region)
    {
        var keys = (float[])values.Clone();
        var inside = regionBits.Select(b => (b >> region) & 1).ToArray();
        Array.Sort(keys, inside);
        var total = inside.Sum();
        var n = keys.Length;
        var best = 0.0;

        // Predicted = the k highest values (above) or the k lowest (below), cut only between distinct values.
        for (var direction = 0; direction < 2; direction++)
        {
            var tp = 0;
            for (var k = 1; k <= n; k++)
            {
                var i = direction == 0 ? n - k : k - 1;
                tp += inside[i];
                var next = direction == 0 ? n - k - 1 : k;
                if (next >= 0 && next < n && keys[next] == keys[i])
                {
                    continue;
                }

                best = Math.Max(best, 2.0 * tp / (k + total));
            }
        }

        return best;
    }
}
