namespace SegAN.Metrics;

/// <summary>
/// Overlap metrics of a binary prediction against a binary truth (same length), as pure functions; each counts
/// the voxels once (<see cref="ConfusionCounts"/>), which also documents the empty-mask rules.
/// </summary>
public static class Overlap
{
    /// <summary>Dice similarity 2|P∩T| / (|P| + |T|); 1 when both are empty, 0 when one is.</summary>
    public static double Dice(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth) => ConfusionCounts.Count(prediction, truth).Dice;

    /// <summary>Precision (positive predictive value) |P∩T| / |P|.</summary>
    public static double Precision(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth) => ConfusionCounts.Count(prediction, truth).Precision;

    /// <summary>Sensitivity (recall) |P∩T| / |T|.</summary>
    public static double Sensitivity(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth) => ConfusionCounts.Count(prediction, truth).Sensitivity;

    /// <summary>Specificity |¬P∩¬T| / |¬T|.</summary>
    public static double Specificity(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth) => ConfusionCounts.Count(prediction, truth).Specificity;
}
