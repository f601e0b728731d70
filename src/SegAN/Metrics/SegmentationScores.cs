namespace SegAN.Metrics;

/// <summary>
/// The five BraTS metrics of one binary prediction against one binary truth. Overlap ratios follow
/// <see cref="ConfusionCounts"/>; HD95 follows <see cref="HausdorffDistance"/> (mm).
/// </summary>
public sealed record SegmentationScores(double Dice, double Precision, double Sensitivity, double Specificity, double Hd95)
{
    /// <summary>Scores <paramref name="prediction"/> against <paramref name="truth"/> on <paramref name="grid"/>.</summary>
    public static SegmentationScores Compute(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth, MaskGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.CheckLength(prediction, nameof(prediction));
        grid.CheckLength(truth, nameof(truth));
        var counts = ConfusionCounts.Count(prediction, truth);
        return new SegmentationScores(
            counts.Dice,
            counts.Precision,
            counts.Sensitivity,
            counts.Specificity,
            HausdorffDistance.Percentile95(prediction, truth, grid));
    }
}
