using System.Globalization;
using System.Text;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Imaging;
using SegAN.Metrics;
using SegAN.Tests.Metrics;

namespace SegAN.Tests.Evaluation;

/// <summary>
/// The BraTS 2023-2024 lesion-wise scores: hand-computed rules, then agreement with an independent Python
/// transcription of the official rules (SciPy's <c>label</c> with a full 3x3x3 structure, per-lesion
/// <c>binary_dilation</c>, nibabel's header spacing) on label maps built to exercise every rule.
/// </summary>
public sealed class LesionWiseMetricsTests : IDisposable
{
    private static readonly MaskGrid Grid = MaskGrid.Isotropic(30, 30, 20);

    private readonly string _dir = Directory.CreateTempSubdirectory("segan-lesion-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LesionWise_IsOneAndZero_WhenBothMasksAreEmpty()
    {
        var empty = new bool[Grid.VoxelCount];

        var scores = LesionWiseMetrics.Compute(empty, empty, Grid, BratsChallenge.Gli);

        Assert.Equal(new LesionWiseScores(1, 0, 0, 0, 0), scores);
    }

    [Fact]
    public void LesionWise_ScoresFalsePositivesAsZeroAnd374_WhenTruthIsEmpty()
    {
        var prediction = Cubes((2, 2, 2, 4), (20, 20, 10, 2));

        var scores = LesionWiseMetrics.Compute(prediction, new bool[Grid.VoxelCount], Grid, BratsChallenge.Gli);

        Assert.Equal(new LesionWiseScores(0, 374, 0, 2, 0), scores);
    }

    [Fact]
    public void LesionWise_IsPerfect_WhenPredictionEqualsTruth()
    {
        var truth = Cubes((2, 2, 2, 5), (20, 20, 10, 4));

        var scores = LesionWiseMetrics.Compute(truth, truth, Grid, BratsChallenge.Gli);

        Assert.Equal(new LesionWiseScores(1, 0, 2, 0, 0), scores);
    }

    [Fact]
    public void LesionWise_IgnoresMissedLesions_AtOrUnderTheVolumeThreshold()
    {
        // Given a 125-voxel lesion found and a 27-voxel one (under GLI's 50 mm³) missed
        var truth = Cubes((2, 2, 2, 5), (20, 20, 10, 3));
        var prediction = Cubes((2, 2, 2, 5));

        var scores = LesionWiseMetrics.Compute(prediction, truth, Grid, BratsChallenge.Gli);

        // Then the small lesion counts neither as a lesion nor as a miss; MET's 2 mm³ threshold counts it
        Assert.Equal(new LesionWiseScores(1, 0, 1, 0, 0), scores);
        var met = LesionWiseMetrics.Compute(prediction, truth, Grid, BratsChallenge.Met);
        Assert.Equal(new LesionWiseScores(0.5, 187, 1, 0, 1), met);
    }

    [Fact]
    public void LesionWise_MergesTruthLesions_WhoseDilationsTouch()
    {
        // Given two truth cubes 4 voxels apart (GLI dilates 3 times, so their dilations meet) and a prediction of one
        var truth = Cubes((2, 2, 2, 5), (11, 2, 2, 5));
        var prediction = Cubes((2, 2, 2, 5));

        var gli = LesionWiseMetrics.Compute(prediction, truth, Grid, BratsChallenge.Gli);
        var men = LesionWiseMetrics.Compute(prediction, truth, Grid, BratsChallenge.Men);

        // Then GLI sees one lesion, half found; MEN (one dilation) sees two, one missed
        Assert.Equal(1, gli.TruePositives);
        Assert.Equal(0, gli.FalseNegatives);
        Assert.Equal(2.0 * 125 / (250 + 125), gli.Dice, 12);
        Assert.Equal(1, men.TruePositives);
        Assert.Equal(1, men.FalseNegatives);
        Assert.Equal(0.5, men.Dice, 12);
    }

    [Fact]
    public void SurfaceAreas_AreThoseOfTheMarchingCubesSurface()
    {
        var areas = SurfaceDistance.AreaTable([1, 1, 1]);

        Assert.Equal(0, areas[0]);
        Assert.Equal(0, areas[255]);
        Assert.Equal(Math.Sqrt(3) / 8, areas[1], 12); // one corner cut off
        Assert.Equal(1.0, areas[15], 12); // a face: the four voxels on one side along x
        Assert.Equal(areas[7], areas[255 - 7], 12);
        Assert.Equal(2.0, SurfaceDistance.AreaTable([1, 2, 1])[15], 12); // that face spans y and z, so y's spacing scales it
        Assert.Equal(1.0, SurfaceDistance.AreaTable([2, 1, 1])[15], 12); // and x's does not
    }

    [SkippableFact]
    public void LesionWise_MatchesPythonTranscriptionOfTheOfficialRules()
    {
        ScipyReference.RequireOrSkip();
        RequireNibabel();

        // Given label maps (BraTS 2023 labels) built to exercise every rule, and random ones, written as NIfTI
        var cases = BuiltCases().Concat(RandomCases(new Random(23), 4)).ToList();
        foreach (var (name, prediction, truth) in cases)
        {
            NiftiFile.Write(Path.Combine(_dir, $"{name}_pred.nii.gz"), prediction, NiftiDataType.UInt8);
            NiftiFile.Write(Path.Combine(_dir, $"{name}_gt.nii.gz"), truth, NiftiDataType.UInt8);
        }

        var challenges = new[] { BratsChallenge.Gli, BratsChallenge.Men, BratsChallenge.Met };
        var script = new StringBuilder(PythonTranscription);
        script.AppendLine(CultureInfo.InvariantCulture, $"TABLE = '{SurfaceDistance.HalfTable}'.split(';')");
        foreach (var (name, _, _) in cases)
        {
            foreach (var challenge in challenges)
            {
                script.AppendLine(CultureInfo.InvariantCulture, $"report('{name}_pred.nii.gz', '{name}_gt.nii.gz', {challenge.Dilation()}, {challenge.VolumeThreshold().ToString(CultureInfo.InvariantCulture)})");
            }
        }

        // When Python scores them and so do we, from the same files
        var reference = ScipyReference.ParseNumbers(ScipyReference.Run(script.ToString(), _dir));

        // Then every region of every case and challenge agrees
        var k = 0;
        foreach (var (name, _, _) in cases)
        {
            foreach (var challenge in challenges)
            {
                var ours = FolderEvaluator.EvaluateCase(name, Path.Combine(_dir, $"{name}_pred.nii.gz"), Path.Combine(_dir, $"{name}_gt.nii.gz"), LabelConvention.Brats2023, challenge);
                foreach (var region in ours.Regions)
                {
                    var l = region.LesionWise!;
                    var what = $"{name} {challenge.Name()} {region.Region.ShortName()}";
                    Assert.True(Math.Abs(reference[k] - l.Dice) <= 1e-6, $"{what}: Dice ours {l.Dice}, python {reference[k]}");
                    Assert.True(Math.Abs(reference[k + 1] - l.Hd95) <= 1e-3, $"{what}: HD95 ours {l.Hd95}, python {reference[k + 1]}");
                    Assert.Equal((reference[k + 2], reference[k + 3], reference[k + 4]), ((double)l.TruePositives, (double)l.FalsePositives, (double)l.FalseNegatives));
                    k += 5;
                }
            }
        }

        Assert.Equal(reference.Length, k);
    }

    // A transcription of the BraTS 2023 lesion-wise rules and of the surface-distance package's definitions,
    // written from their descriptions with SciPy's own components, dilation and distance transform.
    private const string PythonTranscription = """
        import numpy as np
        import nibabel as nib
        from scipy import ndimage

        def area_table(sp):
            half = [[[int(c) / 8.0 for c in t] for t in e.split(' ')] for e in TABLE]
            full = half + [half[255 - c] for c in range(128, 256)]
            out = np.zeros(256)
            for code, normals in enumerate(full):
                out[code] = sum(np.linalg.norm([n[0] * sp[1] * sp[2], n[1] * sp[0] * sp[2], n[2] * sp[0] * sp[1]]) for n in normals)
            return out

        def surface(gt, pred, sp):
            both = gt | pred
            if not both.any():
                return [], [], [], []
            nz = np.nonzero(both)
            crop = tuple(slice(a.min(), a.max() + 1) for a in nz)
            shape = tuple(a.max() - a.min() + 2 for a in nz)
            kernel = np.array([[[128, 64], [32, 16]], [[8, 4], [2, 1]]])
            areas = area_table(sp)
            def codes(m):
                c = np.zeros(shape, np.uint8)
                c[:-1, :-1, :-1] = m[crop]
                return ndimage.correlate(c, kernel, mode='constant', cval=0)
            cg, cp = codes(gt), codes(pred)
            bg, bp = (cg != 0) & (cg != 255), (cp != 0) & (cp != 255)
            dg = ndimage.distance_transform_edt(~bg, sampling=sp) if bg.any() else np.inf * np.ones(shape)
            dp = ndimage.distance_transform_edt(~bp, sampling=sp) if bp.any() else np.inf * np.ones(shape)
            g = sorted(zip(dp[bg], areas[cg[bg]]))
            p = sorted(zip(dg[bp], areas[cp[bp]]))
            return [d for d, _ in g], [a for _, a in g], [d for d, _ in p], [a for _, a in p]

        def directed(d, a, q):
            if len(d) == 0:
                return np.inf
            a = np.array(a)
            i = np.searchsorted(np.cumsum(a) / np.sum(a), q / 100.0)
            return d[min(i, len(d) - 1)]

        def hd95(gt, pred, sp):
            dg, ag, dp, ap = surface(gt, pred, sp)
            return max(directed(dg, ag, 95), directed(dp, ap, 95))

        def lesion_wise(pred, gt, sp, dil, thresh):
            cross = ndimage.generate_binary_structure(3, 2)
            full = np.ones((3, 3, 3))
            pred_cc, n_pred = ndimage.label(pred, structure=full)
            zones, n_zones = ndimage.label(ndimage.binary_dilation(gt, structure=cross, iterations=dil), structure=full)
            merged = np.where(gt, zones, 0)
            hit = set()
            rows = []
            for lesion_id in range(1, n_zones + 1):
                lesion = merged == lesion_id
                zone = ndimage.binary_dilation(lesion, structure=cross, iterations=dil)
                ids = np.unique(pred_cc[zone])
                ids = ids[ids != 0]
                hit.update(ids.tolist())
                matched = np.isin(pred_cc, ids)
                dice = 2.0 * (matched & lesion).sum() / (matched.sum() + lesion.sum())
                hd = hd95(lesion, matched, sp)
                rows.append((len(ids), np.sum(lesion) * sp[0] * sp[1] * sp[2], dice, 374.0 if np.isinf(hd) else hd))
            fp = n_pred - len(hit)
            kept = [r for r in rows if r[1] > thresh]
            tp = sum(1 for r in kept if r[0] > 0)
            fn = sum(1 for r in kept if r[0] == 0)
            if len(kept) + fp == 0:
                return 1.0, 0.0, tp, fp, fn
            dice = sum(r[2] for r in kept) / (len(kept) + fp)
            hd = (sum(r[3] for r in kept) + fp * 374.0) / (len(kept) + fp)
            return dice, hd, tp, fp, fn

        REGIONS = [(1, 2, 3), (1, 3), (3,)]

        def report(pred_file, gt_file, dil, thresh):
            pred_img, gt_img = nib.load(pred_file), nib.load(gt_file)
            sp = gt_img.header.get_zooms()
            pred, gt = pred_img.get_fdata(), gt_img.get_fdata()
            for labels in REGIONS:
                r = lesion_wise(np.isin(pred, labels), np.isin(gt, labels), sp, dil, thresh)
                print(' '.join(repr(float(v)) for v in r))

        """;

    private static bool[] Cubes(params (int X, int Y, int Z, int Size)[] cubes)
    {
        var mask = new bool[Grid.VoxelCount];
        foreach (var (x0, y0, z0, size) in cubes)
        {
            for (var z = z0; z < z0 + size; z++)
            {
                for (var y = y0; y < y0 + size; y++)
                {
                    for (var x = x0; x < x0 + size; x++)
                    {
                        mask[x + (Grid.Shape[0] * (y + (Grid.Shape[1] * z)))] = true;
                    }
                }
            }
        }

        return mask;
    }

    // Boxes of one label painted in order (later ones over earlier ones): (label, x0, y0, z0, sx, sy, sz).
    private static Volume Paint(int[] shape, double[] spacing, params (int Label, int X, int Y, int Z, int Sx, int Sy, int Sz)[] boxes)
    {
        var labels = new float[shape[0] * shape[1] * shape[2]];
        foreach (var b in boxes)
        {
            for (var z = b.Z; z < b.Z + b.Sz; z++)
            {
                for (var y = b.Y; y < b.Y + b.Sy; y++)
                {
                    for (var x = b.X; x < b.X + b.Sx; x++)
                    {
                        labels[x + (shape[0] * (y + (shape[1] * z)))] = b.Label;
                    }
                }
            }
        }

        return new Volume(labels, ImageGeometry.FromSpacing(shape, spacing));
    }

    private static IEnumerable<(string Name, Volume Prediction, Volume Truth)> BuiltCases()
    {
        int[] shape = [40, 36, 24];
        double[] iso = [1, 1, 1];

        // Several lesions: one found shifted, one found split in two, one missed; a false positive far away.
        yield return ("several",
            Paint(shape, iso, (2, 3, 3, 3, 8, 8, 6), (1, 5, 5, 4, 4, 4, 3), (3, 6, 6, 5, 2, 2, 2), (2, 20, 3, 3, 3, 7, 6), (2, 24, 3, 3, 3, 7, 6), (2, 30, 28, 18, 4, 4, 4)),
            Paint(shape, iso, (2, 2, 2, 2, 8, 8, 6), (1, 4, 4, 3, 4, 4, 3), (3, 5, 5, 4, 2, 2, 2), (2, 20, 2, 2, 7, 8, 6), (2, 5, 25, 12, 6, 6, 6), (1, 6, 26, 13, 3, 3, 3)));

        // Merged lesions: two truth blobs 3 voxels apart (GLI merges them, MEN and MET do not), one predicted.
        yield return ("merged",
            Paint(shape, iso, (3, 4, 4, 4, 5, 5, 5), (1, 5, 5, 5, 2, 2, 2)),
            Paint(shape, iso, (3, 4, 4, 4, 5, 5, 5), (3, 12, 4, 4, 5, 5, 5), (1, 13, 5, 5, 2, 2, 2)));

        // Small lesions under the threshold (27 voxels, and exactly 50) missed, another found, one just over (51) missed,
        // beside a large one; ET empty in both.
        yield return ("small",
            Paint(shape, iso, (2, 4, 4, 4, 6, 6, 6), (1, 25, 25, 15, 3, 3, 3)),
            Paint(shape, iso, (2, 4, 4, 4, 7, 6, 6), (1, 25, 25, 15, 3, 3, 3), (2, 4, 25, 4, 3, 3, 3), (2, 30, 4, 4, 5, 5, 2), (2, 20, 28, 21, 17, 3, 1)));

        // An empty truth: every predicted lesion is a false positive.
        yield return ("emptytruth", Paint(shape, iso, (2, 4, 4, 4, 6, 6, 6), (3, 20, 20, 10, 2, 2, 2)), Paint(shape, iso));

        // Anisotropic voxels: 2 mm³ in float32 is a hair over 2, so the 25-voxel lesion (50 mm³ in decimal) counts.
        double[] aniso = [0.8, 1.25, 2.0];
        yield return ("anisotropic",
            Paint(shape, aniso, (2, 3, 3, 3, 9, 7, 4), (3, 5, 4, 4, 3, 3, 2), (1, 25, 20, 10, 5, 5, 1)),
            Paint(shape, aniso, (2, 2, 3, 3, 9, 8, 5), (3, 5, 5, 4, 3, 3, 2), (1, 25, 20, 10, 5, 5, 1), (1, 30, 5, 15, 4, 3, 2)));

        // Both empty.
        yield return ("bothempty", Paint(shape, iso), Paint(shape, iso));
    }

    // Random nested blobs with scattered single voxels: many tiny lesions, touching and merging ones.
    private static IEnumerable<(string Name, Volume Prediction, Volume Truth)> RandomCases(Random random, int count)
    {
        for (var k = 0; k < count; k++)
        {
            var grid = new MaskGrid([24 + random.Next(12), 20 + random.Next(12), 12 + random.Next(8)], [0.7 + random.NextDouble(), 0.9 + random.NextDouble(), 1.0 + (2 * random.NextDouble())]);
            yield return ($"random{k}", RandomLabels(random, grid), RandomLabels(random, grid));
        }
    }

    private static Volume RandomLabels(Random random, MaskGrid grid)
    {
        var whole = RandomMasks.Blobs(random, grid, blobs: 3, noise: 0.003);
        var core = RandomMasks.Blobs(random, grid, blobs: 2, noise: 0.002);
        var enhancing = RandomMasks.Blobs(random, grid, blobs: 2, noise: 0.002);
        var labels = new float[grid.VoxelCount];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = enhancing[i] ? 3 : core[i] ? 1 : whole[i] ? 2 : 0;
        }

        return new Volume(labels, ImageGeometry.FromSpacing(grid.Shape, grid.Spacing));
    }

    private static void RequireNibabel()
    {
        var check = Directory.CreateTempSubdirectory("segan-nib-").FullName;
        try
        {
            ScipyReference.Run("import nibabel\n", check);
        }
        catch (Exception e) when (e is not SkipException && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip.If(true, $"nibabel unavailable: {e.Message}");
        }
        finally
        {
            Directory.Delete(check, recursive: true);
        }
    }
}
