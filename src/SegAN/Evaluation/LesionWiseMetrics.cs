using SegAN.Metrics;

namespace SegAN.Evaluation;

/// <summary>The BraTS 2023-2024 challenges, whose lesion-wise evaluation differs only in two parameters (<see cref="BratsChallenges"/>).</summary>
public enum BratsChallenge
{
    /// <summary>Adult glioma (GLI).</summary>
    Gli,

    /// <summary>Sub-Saharan Africa glioma (SSA).</summary>
    Ssa,

    /// <summary>Meningioma (MEN).</summary>
    Men,

    /// <summary>Paediatric tumours (PED).</summary>
    Ped,

    /// <summary>Brain metastases (MET).</summary>
    Met,
}

/// <summary>Names and parameters of <see cref="BratsChallenge"/> values, as the official BraTS 2023 metrics code sets them.</summary>
public static class BratsChallenges
{
    /// <summary>gli, ssa, men, ped or met (the value of <c>--challenge</c>).</summary>
    public static string Name(this BratsChallenge challenge) => challenge switch
    {
        BratsChallenge.Gli => "gli",
        BratsChallenge.Ssa => "ssa",
        BratsChallenge.Men => "men",
        BratsChallenge.Ped => "ped",
        BratsChallenge.Met => "met",
        _ => throw new ArgumentOutOfRangeException(nameof(challenge), challenge, "unknown challenge"),
    };

    /// <summary>How many dilations with the 18-neighbourhood merge nearby truth lesions and widen the matching zone: 3, but 1 for MEN and MET.</summary>
    public static int Dilation(this BratsChallenge challenge) => challenge switch
    {
        BratsChallenge.Men or BratsChallenge.Met => 1,
        _ => 3,
    };

    /// <summary>Truth lesions of at most this volume (mm³) are left out of the scores: 50, but 2 for MET.</summary>
    public static double VolumeThreshold(this BratsChallenge challenge) => challenge == BratsChallenge.Met ? 2 : 50;

    /// <summary>Parses gli, ssa, men, ped or met (case-insensitive; a "brats-" prefix is allowed).</summary>
    public static BratsChallenge Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = text.Trim().ToUpperInvariant();
        name = name.StartsWith("BRATS-", StringComparison.Ordinal) ? name["BRATS-".Length..] : name;
        return name switch
        {
            "GLI" => BratsChallenge.Gli,
            "SSA" => BratsChallenge.Ssa,
            "MEN" => BratsChallenge.Men,
            "PED" => BratsChallenge.Ped,
            "MET" => BratsChallenge.Met,
            _ => throw new SegANException($"unknown BraTS challenge '{text}': expected gli, ssa, men, ped or met"),
        };
    }
}

/// <summary>
/// The lesion-wise scores of one region of one case: Dice and HD95 (mm) averaged over the truth lesions above the
/// challenge's volume threshold and the false-positive lesions (each scoring Dice 0 and HD95
/// <see cref="LesionWiseMetrics.MissedHd95"/>), and the numbers of true-positive, false-positive and
/// false-negative lesions.
/// </summary>
public sealed record LesionWiseScores(double Dice, double Hd95, int TruePositives, int FalsePositives, int FalseNegatives);

/// <summary>
/// BraTS 2023-2024 lesion-wise Dice and HD95 exactly as the challenge's official code computes them
/// (rachitsaluja/BraTS-2023-Metrics): truth and prediction split into 26-connected lesions; truth lesions whose
/// dilations touch merged into one; a predicted lesion matches a truth lesion when it touches that lesion's
/// dilation; each truth lesion scored against the union of its matches (Dice, and HD95 by
/// <see cref="SurfaceDistance"/>, 374 mm when nothing matches); predicted lesions matching none are false
/// positives; truth lesions at or under the volume threshold leave the averages and the counts. Both masks
/// empty: Dice 1, HD95 0.
/// </summary>
public static class LesionWiseMetrics
{
    /// <summary>The HD95 of a missed or false-positive lesion (the official code's replacement for infinity).</summary>
    public const double MissedHd95 = 374;

    /// <summary>Scores <paramref name="prediction"/> against <paramref name="truth"/> on <paramref name="grid"/> with the challenge's parameters.</summary>
    public static LesionWiseScores Compute(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth, MaskGrid grid, BratsChallenge challenge)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.CheckLength(prediction, nameof(prediction));
        grid.CheckLength(truth, nameof(truth));
        var shape = grid.Shape;
        var dilation = challenge.Dilation();
        var threshold = challenge.VolumeThreshold();

        // Dilation distributes over unions, so the dilated components are exactly the dilations of the merged
        // lesions: a truth voxel belongs to the lesion of its dilated component, and that component is the
        // lesion's matching zone.
        var (predictionLabels, predictionCount) = LesionComponents.Label(prediction, shape);
        var (zoneLabels, lesionCount) = LesionComponents.Label(LesionComponents.Dilate(truth, shape, dilation), shape);
        var lesionVoxels = NewLists(lesionCount);
        var zonePredictions = new HashSet<int>[lesionCount + 1];
        var predictionVoxels = NewLists(predictionCount);
        for (var i = 0; i < truth.Length; i++)
        {
            var zone = zoneLabels[i];
            if (truth[i])
            {
                lesionVoxels[zone].Add(i);
            }

            if (zone != 0 && predictionLabels[i] != 0)
            {
                (zonePredictions[zone] ??= []).Add(predictionLabels[i]);
            }

            if (predictionLabels[i] != 0)
            {
                predictionVoxels[predictionLabels[i]].Add(i);
            }
        }

        var matched = new HashSet<int>();
        double diceSum = 0, hd95Sum = 0;
        int scored = 0, truePositives = 0, falseNegatives = 0;
        for (var lesion = 1; lesion <= lesionCount; lesion++)
        {
            var matches = zonePredictions[lesion] ?? [];
            matched.UnionWith(matches);

            // The official code multiplies the voxel count by each spacing in turn.
            var volume = lesionVoxels[lesion].Count * grid.Spacing[0] * grid.Spacing[1] * grid.Spacing[2];
            if (volume <= threshold)
            {
                continue;
            }

            scored++;
            if (matches.Count == 0)
            {
                falseNegatives++;
                hd95Sum += MissedHd95; // Dice 0
                continue;
            }

            truePositives++;
            var (dice, hd95) = ScoreLesion(lesionVoxels[lesion], matches.SelectMany(m => predictionVoxels[m]).ToList(), predictionLabels, matches, grid);
            diceSum += dice;
            hd95Sum += double.IsInfinity(hd95) ? MissedHd95 : hd95;
        }

        var falsePositives = predictionCount - matched.Count;
        var denominator = scored + falsePositives;
        return denominator == 0
            ? new LesionWiseScores(1, 0, truePositives, falsePositives, falseNegatives)
            : new LesionWiseScores(diceSum / denominator, (hd95Sum + (falsePositives * MissedHd95)) / denominator, truePositives, falsePositives, falseNegatives);
    }

    private static (double Dice, double Hd95) ScoreLesion(List<int> lesion, List<int> predicted, int[] predictionLabels, HashSet<int> matches, MaskGrid grid)
    {
        var overlap = lesion.Count(i => matches.Contains(predictionLabels[i]));
        var dice = 2.0 * overlap / (lesion.Count + predicted.Count);

        // Surface distances only see the bounding box of both masks, so the lesion is scored on that box alone.
        var shape = grid.Shape;
        int[] lo = [int.MaxValue, int.MaxValue, int.MaxValue];
        int[] hi = [-1, -1, -1];
        foreach (var i in lesion.Concat(predicted))
        {
            var p = Coordinates(i, shape);
            for (var a = 0; a < 3; a++)
            {
                lo[a] = Math.Min(lo[a], p[a]);
                hi[a] = Math.Max(hi[a], p[a]);
            }
        }

        int[] box = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
        var truthBox = new bool[box[0] * box[1] * box[2]];
        var predictionBox = new bool[truthBox.Length];
        foreach (var i in lesion)
        {
            truthBox[Local(i, shape, lo, box)] = true;
        }

        foreach (var i in predicted)
        {
            predictionBox[Local(i, shape, lo, box)] = true;
        }

        var distances = SurfaceDistance.Compute(truthBox, predictionBox, new MaskGrid(box, grid.Spacing));
        return (dice, SurfaceDistance.RobustHausdorff(distances, 95));
    }

    private static int[] Coordinates(int i, int[] shape)
    {
        var plane = shape[0] * shape[1];
        var z = i / plane;
        var rest = i - (z * plane);
        return [rest % shape[0], rest / shape[0], z];
    }

    private static int Local(int i, int[] shape, int[] lo, int[] box)
    {
        var p = Coordinates(i, shape);
        return p[0] - lo[0] + (box[0] * (p[1] - lo[1] + (box[1] * (p[2] - lo[2]))));
    }

    private static List<int>[] NewLists(int count)
    {
        var lists = new List<int>[count + 1];
        for (var i = 0; i <= count; i++)
        {
            lists[i] = [];
        }

        return lists;
    }
}
