using System.Diagnostics;
using System.Globalization;
using SegAN.Data;
using Xunit.Abstractions;

namespace SegAN.Tests.Data;

/// <summary>Ten realistic phantoms (96x96x64, BraTS 2015 labels, seed 21), generated once for the tests below.</summary>
public sealed class RealisticPhantomSet
{
    public static readonly PhantomOptions Options = new(Seed: 21, Labels: LabelConvention.Brats2015, Difficulty: PhantomDifficulty.Realistic, Shape: new PhantomShape(96, 96, 64));

    public RealisticPhantomSet()
    {
        Phantoms = [.. Enumerable.Range(0, 10).Select(i => PhantomGenerator.Generate(Options, i))];
        Brains = [.. Phantoms.Select(BrainMask)];
    }

    public IReadOnlyList<Phantom> Phantoms { get; }

    /// <summary>Per phantom, the voxels that differ from the corner value in some modality.</summary>
    public IReadOnlyList<bool[]> Brains { get; }

    public static bool[] BrainMask(Phantom p)
    {
        var n = p.Segmentation.Data.Length;
        var brain = new bool[n];
        foreach (var image in p.Images)
        {
            var background = image.Data[0];
            for (var i = 0; i < n; i++)
            {
                brain[i] |= image.Data[i] != background;
            }
        }

        return brain;
    }
}

public sealed class RealisticPhantomTests(RealisticPhantomSet set, ITestOutputHelper output) : IClassFixture<RealisticPhantomSet>
{
    private static readonly string[] ModalityNames = ["T1", "T1c", "T2", "FLAIR"];

    [Fact]
    public void RealisticPhantoms_NoSingleModalityThreshold_ReachesMoreThanALowDice()
    {
        // Given ten realistic phantoms; when each modality's best threshold (either direction, over brain voxels) is
        // tuned on each case itself (the strongest oracle) and, separately, on the ten cases pooled
        var perCase = new double[4, 3];
        var worst = new double[4, 3];
        var pooled = new double[4, 3];
        var counts = new int[3];
        for (var m = 0; m < 4; m++)
        {
            var allValues = new List<float>();
            var allBits = new List<byte>();
            for (var c = 0; c < set.Phantoms.Count; c++)
            {
                var (values, bits) = BrainVoxels(set.Phantoms[c], set.Brains[c], m);
                allValues.AddRange(values);
                allBits.AddRange(bits);
                for (var r = 0; r < 3; r++)
                {
                    if (bits.Any(b => ((b >> r) & 1) != 0))
                    {
                        var dice = ThresholdDice.Best(values, bits, r);
                        perCase[m, r] += dice;
                        worst[m, r] = Math.Max(worst[m, r], dice);
                        counts[r] += m == 0 ? 1 : 0;
                    }
                }
            }

            for (var r = 0; r < 3; r++)
            {
                pooled[m, r] = ThresholdDice.Best([.. allValues], [.. allBits], r);
            }
        }

        output.WriteLine("best single-threshold Dice (WT, TC, ET): tuned per case, mean | highest case | pooled over the cases");
        for (var m = 0; m < 4; m++)
        {
            for (var r = 0; r < 3; r++)
            {
                perCase[m, r] /= counts[r];
            }

            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{ModalityNames[m],-6} {perCase[m, 0]:F3} {perCase[m, 1]:F3} {perCase[m, 2]:F3} | {worst[m, 0]:F3} {worst[m, 1]:F3} {worst[m, 2]:F3} | {pooled[m, 0]:F3} {pooled[m, 1]:F3} {pooled[m, 2]:F3}"));
        }

        // Then no modality's threshold reaches more than a low Dice on any region, even tuned per case
        for (var m = 0; m < 4; m++)
        {
            Assert.True(perCase[m, 0] <= 0.6, $"{ModalityNames[m]} segments the whole tumour by a threshold (Dice {perCase[m, 0]:F3})");
            Assert.True(perCase[m, 1] <= 0.4, $"{ModalityNames[m]} segments the tumour core by a threshold (Dice {perCase[m, 1]:F3})");
            Assert.True(perCase[m, 2] <= 0.4, $"{ModalityNames[m]} segments the enhancing tumour by a threshold (Dice {perCase[m, 2]:F3})");
        }

        // And the regions still show where they do in real MRI (the phantoms are not noise)
        Assert.True(perCase[3, 0] > 0.3, "the whole tumour is invisible on FLAIR");
        Assert.True(perCase[1, 2] > 0.1, "the enhancing tumour is invisible on T1c");
    }

    [Fact]
    public void RealisticPhantoms_HaveBratsLikeClassBalance_AndSomeCasesWithoutEnhancingTumour()
    {
        var wholeTumour = new List<double>();
        var core = new List<double>();
        var withoutEnhancing = 0;
        for (var c = 0; c < set.Phantoms.Count; c++)
        {
            var p = set.Phantoms[c];
            var labels = p.Segmentation.Data;
            double brain = set.Brains[c].Count(b => b);
            double wt = labels.Count(v => v > 0), tc = labels.Count(v => v is 1 or 3 or 4), et = labels.Count(v => v == 4);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Name}: WT {100 * wt / brain:F1} % of the brain, TC/WT {tc / wt:F2}, ET/WT {et / wt:F2}"));
            wholeTumour.Add(wt / brain);
            core.Add(tc / wt);
            withoutEnhancing += et == 0 ? 1 : 0;

            // BraTS 2015: non-enhancing tumour (3) in every case, nothing outside the brain
            Assert.Contains(3f, labels);
            Assert.All(labels.Where((v, i) => v > 0 && !set.Brains[c][i]), _ => Assert.Fail($"{p.Name}: tumour outside the brain"));
        }

        Assert.All(wholeTumour, f => Assert.InRange(f, 0.01, 0.12));
        Assert.InRange(wholeTumour.Average(), 0.02, 0.08);
        Assert.InRange(core.Average(), 0.15, 0.6);
        Assert.InRange(withoutEnhancing, 1, 3);
    }

    [Fact]
    public void RealisticPhantoms_AreSkullStripped_WithAConstantBackground_SometimesNegative()
    {
        var negative = 0;
        var zero = 0;
        for (var c = 0; c < set.Phantoms.Count; c++)
        {
            var brain = set.Brains[c];
            foreach (var image in set.Phantoms[c].Images)
            {
                // The background is one value, the one our preprocessing finds on the faces, the brain's minimum or 0
                var background = image.Data[0];
                Assert.Equal(background, Preprocessor.Background(image.Data, image.Geometry.Shape));
                Assert.All(image.Data.Where((_, i) => !brain[i]).Distinct(), v => Assert.Equal(background, v));
                Assert.True(background <= image.Data.Where((_, i) => brain[i]).Min(), "the background is brighter than some brain voxel");
                negative += background < 0 ? 1 : 0;
                zero += background == 0 ? 1 : 0;
            }
        }

        Assert.True(negative >= 4, "no case is z-scored with a negative background");
        Assert.True(zero >= 4, "no case has background 0");
    }

    [Fact]
    public void RealisticPhantoms_HaveThickSliceModalities_LesionsAtTheEdge_AndMultipleLesions()
    {
        var anisotropic = 0;
        var isotropic = 0;
        var atEdge = 0;
        var multiple = 0;
        for (var c = 0; c < set.Phantoms.Count; c++)
        {
            var p = set.Phantoms[c];
            var brain = set.Brains[c];
            foreach (var image in p.Images)
            {
                var ratio = GradientRatio(image.Data, brain, p.T1.Nx, p.T1.Ny);
                anisotropic += ratio < 0.85 ? 1 : 0;
                isotropic += ratio > 0.9 ? 1 : 0;
            }

            atEdge += TouchesBackground(p.Segmentation.Data, brain, p.T1.Nx, p.T1.Ny) >= 20 ? 1 : 0;
            multiple += Components(p.Segmentation.Data, p.T1.Nx, p.T1.Ny, minSize: 10) >= 2 ? 1 : 0;
        }

        output.WriteLine($"thick-slice modalities {anisotropic}, isotropic {isotropic}, cases with tumour at the edge {atEdge}, with several lesions {multiple}");
        Assert.True(anisotropic >= 5, "too few modalities acquired as thick slices");
        Assert.True(isotropic >= 5, "too few modalities acquired at 1 mm");
        Assert.InRange(atEdge, 1, 8);
        Assert.InRange(multiple, 1, 8);
    }

    [Fact]
    public void RealisticPhantoms_EdemaBlendsWithHealthyTissue_OnFlair()
    {
        // In every case some healthy brain voxels (hyperintensities, unsuppressed CSF, cortex) are brighter on FLAIR
        // than the median edema voxel
        for (var c = 0; c < set.Phantoms.Count; c++)
        {
            var p = set.Phantoms[c];
            var flair = p.Flair.Data;
            var edema = flair.Where((_, i) => p.Segmentation.Data[i] == 2).Order().ToArray();
            var median = edema[edema.Length / 2];
            var brighter = flair.Where((v, i) => set.Brains[c][i] && p.Segmentation.Data[i] == 0 && v > median).Count();
            Assert.True(brighter > edema.Length / 20, $"{p.Name}: only {brighter} healthy voxels brighter than the median edema on FLAIR");
        }
    }

    [Fact]
    public void RealisticPhantoms_HaveBrokenRims_AndRimBrightVoxelsNearTheTumour()
    {
        var broken = 0;
        var confounded = 0;
        var withEnhancing = 0;
        for (var c = 0; c < set.Phantoms.Count; c++)
        {
            var p = set.Phantoms[c];
            var labels = p.Segmentation.Data;
            if (!labels.Contains(4f))
            {
                continue;
            }

            withEnhancing++;
            int nx = p.T1.Nx, ny = p.T1.Ny;
            var core = labels.Select(v => v is 1 or 3 or 4).ToArray();

            // The core's outer shell is only partly enhancing
            var shell = Enumerable.Range(0, labels.Length).Where(i => core[i] && Neighbours(i, nx, ny, labels.Length).Any(j => !core[j])).ToList();
            var enhancingShare = shell.Count(i => labels[i] == 4) / (double)shell.Count;
            broken += enhancingShare is > 0 and < 0.9 ? 1 : 0;

            // Beyond the reach of the rim's partial-volume blur (3 to 6 voxels from the core), healthy voxels as bright
            // on T1c as the median enhancing voxel (vessels running past the rim, cortical veins, the bias field)
            var t1c = p.T1c.Data;
            var median = t1c.Where((_, i) => labels[i] == 4).Order().ElementAt(labels.Count(v => v == 4) / 2);
            var near = Dilate(core, nx, ny, 3);
            var ring = Dilate(near, nx, ny, 3);
            var bright = Enumerable.Range(0, labels.Length).Count(i => ring[i] && !near[i] && t1c[i] >= median);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Name}: enhancing share of the core's shell {enhancingShare:F2}, rim-bright voxels 3-6 voxels away {bright}"));
            confounded += bright >= 5 ? 1 : 0;
        }

        Assert.Equal(withEnhancing, broken);
        Assert.True(confounded * 2 >= withEnhancing, $"voxels as bright as the rim lie near the tumour in only {confounded} of {withEnhancing} cases");
    }

    [Fact]
    public void RealisticPhantoms_KeepStretchesOfDuralSinus_BrightOnT1c_OverTheMidline()
    {
        // Given the ten phantoms; when counting healthy voxels at the top surface over the midline (the fissure's band,
        // CSF in a brain without sinuses), within three voxels of the background above, as bright on T1c as the
        // brain's brightest percent
        var withSinus = 0;
        for (var c = 0; c < set.Phantoms.Count; c++)
        {
            var p = set.Phantoms[c];
            var brain = set.Brains[c];
            var t1c = p.T1c.Data;
            var labels = p.Segmentation.Data;
            int nx = p.T1.Nx, ny = p.T1.Ny, nz = p.T1.Nz;
            var inside = t1c.Where((_, i) => brain[i]).Order().ToArray();
            var bright = inside[(int)(inside.Length * 0.99)];
            var count = 0;
            for (var z = nz / 2; z < nz; z++)
            {
                for (var y = 0; y < ny; y++)
                {
                    for (var x = (nx / 2) - 2; x <= (nx / 2) + 2; x++)
                    {
                        var i = x + (nx * (y + (ny * z)));
                        var underSurface = Enumerable.Range(1, 3).Any(d => z + d >= nz || !brain[i + (d * nx * ny)]);
                        count += brain[i] && labels[i] == 0 && t1c[i] >= bright && underSurface ? 1 : 0;
                    }
                }
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Name}: {count} T1c-bright healthy voxels at the top of the midline"));
            withSinus += count >= 5 ? 1 : 0;
        }

        // Then most cases keep some of their superior sagittal sinus there (each stretch is kept with chance 3/4;
        // without sinuses no case has five such voxels)
        Assert.True(withSinus >= 6, $"only {withSinus} of 10 cases show a sinus over the midline");
    }

    [Fact]
    public void Realistic_SameSeed_SameVoxels_OtherSeed_OtherVoxels()
    {
        var options = new PhantomOptions(Seed: 2, Difficulty: PhantomDifficulty.Realistic, Shape: new PhantomShape(64, 64, 48));
        var a = PhantomGenerator.Generate(options, 1);
        var b = PhantomGenerator.Generate(options, 1);
        var c = PhantomGenerator.Generate(options with { Seed = 3 }, 1);

        for (var m = 0; m < 4; m++)
        {
            Assert.Equal(a.Images[m].Data, b.Images[m].Data);
        }

        Assert.Equal(a.Segmentation.Data, b.Segmentation.Data);
        Assert.NotEqual(a.Flair.Data, c.Flair.Data);
    }

    [Fact]
    public void Realistic_LabelConventions_DescribeTheSameRegions()
    {
        // Non-enhancing tumour is 3 in BraTS 2015 and merged into 1 in 2021 and 2023 (where enhancing is 3)
        var shape = new PhantomShape(64, 64, 48);
        var regions = new List<byte[]>();
        foreach (var (labels, expected) in new (LabelConvention, float[])[]
        {
            (LabelConvention.Brats2015, [0, 1, 2, 3, 4]), (LabelConvention.Brats2021, [0, 1, 2, 4]), (LabelConvention.Brats2023, [0, 1, 2, 3]),
        })
        {
            var p = PhantomGenerator.Generate(new PhantomOptions(Seed: 4, Labels: labels, Difficulty: PhantomDifficulty.Realistic, Shape: shape), 0);
            Assert.Equal(expected, p.Segmentation.Data.Distinct().Order());
            regions.Add(BratsLabels.ToRegions(p.Segmentation.Data, labels, p.Name));
        }

        Assert.Equal(regions[0], regions[1]);
        Assert.Equal(regions[0], regions[2]);
    }

    [Fact]
    public void Realistic_BratsShape_HasALifeSizeBrain()
    {
        var watch = Stopwatch.StartNew();
        var p = PhantomGenerator.Generate(new PhantomOptions(Seed: 1, Difficulty: PhantomDifficulty.Realistic, Shape: PhantomShape.Brats), 0);
        watch.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"240x240x155 phantom in {watch.ElapsedMilliseconds} ms"));

        Assert.Equal([240, 240, 155], p.Flair.Geometry.Shape);
        Assert.Equal([1.0, 1.0, 1.0], p.Flair.Geometry.Spacing);
        var brain = RealisticPhantomSet.BrainMask(p);
        int[] min = [int.MaxValue, int.MaxValue, int.MaxValue], max = [0, 0, 0];
        for (var z = 0; z < 155; z++)
        {
            for (var y = 0; y < 240; y++)
            {
                for (var x = 0; x < 240; x++)
                {
                    if (brain[x + (240 * (y + (240 * z)))])
                    {
                        int[] at = [x, y, z];
                        for (var a = 0; a < 3; a++)
                        {
                            (min[a], max[a]) = (Math.Min(min[a], at[a]), Math.Max(max[a], at[a]));
                        }
                    }
                }
            }
        }

        output.WriteLine($"brain extent {max[0] - min[0] + 1} x {max[1] - min[1] + 1} x {max[2] - min[2] + 1} mm");
        Assert.InRange(max[0] - min[0] + 1, 125, 155);
        Assert.InRange(max[1] - min[1] + 1, 155, 185);
        Assert.InRange(max[2] - min[2] + 1, 110, 140);
    }

    [Fact]
    public void Options_EasyNonCubicShape_IsRejected()
    {
        var e = Assert.Throws<SegANException>(() => new PhantomOptions(Shape: new PhantomShape(64, 64, 48)).Validate());
        Assert.Contains("64x64x48", e.Message, StringComparison.Ordinal);
        Assert.Equal(new PhantomShape(240, 240, 155), PhantomShape.Parse("240x240x155"));
        Assert.Equal(PhantomShape.Cube(64), PhantomShape.Parse("64"));
        Assert.Throws<SegANException>(() => PhantomShape.Parse("240x240"));
    }

    private static (float[] Values, byte[] Bits) BrainVoxels(Phantom p, bool[] brain, int modality)
    {
        var image = p.Images[modality].Data;
        var regions = BratsLabels.ToRegions(p.Segmentation.Data, p.Labels, p.Name);
        var n = image.Length;
        var values = new List<float>();
        var bits = new List<byte>();
        for (var i = 0; i < n; i++)
        {
            if (brain[i])
            {
                values.Add(image[i]);
                bits.Add((byte)(regions[i] | (regions[n + i] << 1) | (regions[(2 * n) + i] << 2)));
            }
        }

        return ([.. values], [.. bits]);
    }

    /// <summary>Mean |difference| between z-neighbours over that between x-neighbours, inside the brain: below 1 when z is smoother.</summary>
    private static double GradientRatio(float[] data, bool[] brain, int nx, int ny)
    {
        double dx = 0, dz = 0;
        var plane = nx * ny;
        for (var i = 0; i < data.Length - plane - 1; i++)
        {
            if (brain[i] && brain[i + 1] && brain[i + plane])
            {
                dx += Math.Abs(data[i + 1] - data[i]);
                dz += Math.Abs(data[i + plane] - data[i]);
            }
        }

        return dz / dx;
    }

    private static IEnumerable<int> Neighbours(int i, int nx, int ny, int n)
    {
        foreach (var d in (int[])[1, -1, nx, -nx, nx * ny, -nx * ny])
        {
            if (i + d >= 0 && i + d < n)
            {
                yield return i + d;
            }
        }
    }

    /// <summary>The mask grown by <paramref name="steps"/> face-neighbour steps.</summary>
    private static bool[] Dilate(bool[] mask, int nx, int ny, int steps)
    {
        var current = mask;
        for (var s = 0; s < steps; s++)
        {
            var next = (bool[])current.Clone();
            for (var i = 0; i < current.Length; i++)
            {
                if (current[i])
                {
                    foreach (var j in Neighbours(i, nx, ny, current.Length))
                    {
                        next[j] = true;
                    }
                }
            }

            current = next;
        }

        return current;
    }

    /// <summary>Tumour voxels with a face neighbour outside the brain.</summary>
    private static int TouchesBackground(float[] labels, bool[] brain, int nx, int ny)
    {
        var count = 0;
        int[] steps = [1, -1, nx, -nx, nx * ny, -nx * ny];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] > 0 && steps.Any(d => i + d >= 0 && i + d < labels.Length && !brain[i + d]))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Face-connected components of the tumour core (labels 1, 3, 4) with at least <paramref name="minSize"/> voxels.</summary>
    private static int Components(float[] labels, int nx, int ny, int minSize)
    {
        var seen = new bool[labels.Length];
        var count = 0;
        int[] steps = [1, -1, nx, -nx, nx * ny, -nx * ny];
        for (var start = 0; start < labels.Length; start++)
        {
            if (seen[start] || labels[start] is 0 or 2)
            {
                continue;
            }

            var size = 0;
            var stack = new Stack<int>([start]);
            seen[start] = true;
            while (stack.TryPop(out var i))
            {
                size++;
                foreach (var d in steps)
                {
                    var j = i + d;
                    if (j >= 0 && j < labels.Length && !seen[j] && labels[j] is not (0 or 2))
                    {
                        seen[j] = true;
                        stack.Push(j);
                    }
                }
            }

            count += size >= minSize ? 1 : 0;
        }

        return count;
    }
}
