namespace SegAN.Metrics;

/// <summary>
/// Voxel counts of a binary prediction against a binary truth, and the overlap metrics BraTS reports from them.
/// Ratios whose denominator is zero follow the BraTS convention for empty masks: a metric is 1 when the
/// prediction agrees with an empty truth (or an empty prediction with a truth it had no voxel to find), else 0.
/// </summary>
public readonly record struct ConfusionCounts(long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives)
{
    /// <summary>Counts voxels of <paramref name="prediction"/> against <paramref name="truth"/> (same length).</summary>
    public static ConfusionCounts Count(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth)
    {
        if (prediction.Length != truth.Length)
        {
            throw new ArgumentException($"prediction has {prediction.Length} voxels but truth has {truth.Length}", nameof(prediction));
        }

        long tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < prediction.Length; i++)
        {
            var p = prediction[i];
            var t = truth[i];
            if (p)
            {
                if (t)
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
            }
            else if (t)
            {
                fn++;
            }
        }

        return new ConfusionCounts(tp, fp, fn, prediction.Length - tp - fp - fn);
    }

    /// <summary>Counts byte masks (non-zero = inside) of the same length.</summary>
    public static ConfusionCounts Count(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth)
    {
        if (prediction.Length != truth.Length)
        {
            throw new ArgumentException($"prediction has {prediction.Length} voxels but truth has {truth.Length}", nameof(prediction));
        }

        long tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < prediction.Length; i++)
        {
            var p = prediction[i] != 0;
            var t = truth[i] != 0;
            tp += p && t ? 1 : 0;
            fp += p && !t ? 1 : 0;
            fn += !p && t ? 1 : 0;
        }

        return new ConfusionCounts(tp, fp, fn, prediction.Length - tp - fp - fn);
    }

    /// <summary>Voxels the prediction marks: TP + FP.</summary>
    public long PredictedPositives => TruePositives + FalsePositives;

    /// <summary>Voxels the truth marks: TP + FN.</summary>
    public long TruthPositives => TruePositives + FalseNegatives;

    /// <summary>2 TP / (2 TP + FP + FN); 1 when both masks are empty, 0 when only one is.</summary>
    public double Dice => DiceOf(TruePositives, PredictedPositives, TruthPositives);

    /// <summary>
    /// The one Dice formula, from counts: 2|P∩T| / (|P| + |T|) = 2 TP / (2 TP + FP + FN); 1 when both masks are
    /// empty (the BraTS convention), 0 when only one is. Validation during training scores with it too.
    /// </summary>
    public static double DiceOf(long intersection, long predicted, long truth) =>
        predicted + truth == 0 ? 1.0 : 2.0 * intersection / (predicted + truth);

    /// <summary>TP / (TP + FP): the share of predicted voxels that are right; with no prediction, 1 if the truth is empty too, else 0.</summary>
    public double Precision => PredictedPositives == 0 ? EmptyRatio : (double)TruePositives / PredictedPositives;

    /// <summary>TP / (TP + FN), the share of truth voxels found; with an empty truth, 1 if the prediction is empty too, else 0.</summary>
    public double Sensitivity => TruthPositives == 0 ? EmptyRatio : (double)TruePositives / TruthPositives;

    /// <summary>TN / (TN + FP), the share of background voxels left alone; 1 when the truth covers every voxel (no FP possible).</summary>
    public double Specificity
    {
        get
        {
            var negatives = TrueNegatives + FalsePositives;
            return negatives == 0 ? 1.0 : (double)TrueNegatives / negatives;
        }
    }

    // Both empty: perfect agreement; one empty: nothing right.
    private double EmptyRatio => PredictedPositives == 0 && TruthPositives == 0 ? 1.0 : 0.0;
}
