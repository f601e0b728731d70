using SegAN.Metrics;

namespace SegAN.Tests.Metrics;

public sealed class ConfusionCountsTests
{
    private static bool[] Mask(string bits) => bits.Select(c => c == '1').ToArray();

    [Theory]
    // prediction, truth, dice, precision, sensitivity, specificity (hand-computed from TP, FP, FN, TN)
    [InlineData("1100", "1100", 1.0, 1.0, 1.0, 1.0)] // TP2 FP0 FN0 TN2
    [InlineData("1110", "1100", 0.8, 2.0 / 3, 1.0, 0.5)] // TP2 FP1 FN0 TN1: dice 4/5
    [InlineData("1000", "1100", 2.0 / 3, 1.0, 0.5, 1.0)] // TP1 FP0 FN1 TN2: dice 2/3
    [InlineData("0011", "1100", 0.0, 0.0, 0.0, 0.0)] // TP0 FP2 FN2 TN0
    [InlineData("1100110000", "1000011000", 4.0 / 7, 0.5, 2.0 / 3, 5.0 / 7)] // TP2 FP2 FN1 TN5
    public void Metrics_MatchHandComputedValues(string prediction, string truth, double dice, double precision, double sensitivity, double specificity)
    {
        // Given two masks
        var p = Mask(prediction);
        var t = Mask(truth);

        // When counting
        var counts = ConfusionCounts.Count(p, t);

        // Then every ratio is the hand-computed one, and the pure functions agree
        Assert.Equal(dice, counts.Dice, 12);
        Assert.Equal(precision, counts.Precision, 12);
        Assert.Equal(sensitivity, counts.Sensitivity, 12);
        Assert.Equal(specificity, counts.Specificity, 12);
        Assert.Equal(dice, Overlap.Dice(p, t), 12);
        Assert.Equal(precision, Overlap.Precision(p, t), 12);
        Assert.Equal(sensitivity, Overlap.Sensitivity(p, t), 12);
        Assert.Equal(specificity, Overlap.Specificity(p, t), 12);
    }

    [Fact]
    public void Count_CountsEachKindOfVoxel()
    {
        // Given prediction 1100110000 and truth 1000011000
        var counts = ConfusionCounts.Count(Mask("1100110000"), Mask("1000011000"));

        // Then TP = {0, 5}, FP = {1, 4}, FN = {6}, TN = the other 5
        Assert.Equal(new ConfusionCounts(2, 2, 1, 5), counts);
    }

    [Fact]
    public void Count_OfByteMasks_TreatsNonZeroAsInside()
    {
        // Given the masks of Count_CountsEachKindOfVoxel as bytes with assorted non-zero values
        byte[] prediction = [7, 1, 0, 0, 255, 2, 0, 0, 0, 0];
        byte[] truth = [1, 0, 0, 0, 0, 9, 1, 0, 0, 0];

        Assert.Equal(new ConfusionCounts(2, 2, 1, 5), ConfusionCounts.Count(prediction, truth));
        Assert.Equal(ConfusionCounts.Count(BinaryMask.From(prediction), BinaryMask.From(truth)), ConfusionCounts.Count(prediction, truth));
        Assert.Equal([false, true, true], BinaryMask.From([0.2f, 0.6f, 1f]));
    }

    [Fact]
    public void EmptyMasks_FollowBratsRules()
    {
        var empty = Mask("0000");
        var some = Mask("0110");

        // Both empty: perfect agreement
        var both = ConfusionCounts.Count(empty, empty);
        Assert.Equal(1.0, both.Dice);
        Assert.Equal(1.0, both.Precision);
        Assert.Equal(1.0, both.Sensitivity);
        Assert.Equal(1.0, both.Specificity);

        // Empty prediction, non-empty truth: nothing found
        var missed = ConfusionCounts.Count(empty, some);
        Assert.Equal(0.0, missed.Dice);
        Assert.Equal(0.0, missed.Precision);
        Assert.Equal(0.0, missed.Sensitivity);
        Assert.Equal(1.0, missed.Specificity);

        // Non-empty prediction, empty truth: all false positives
        var invented = ConfusionCounts.Count(some, empty);
        Assert.Equal(0.0, invented.Dice);
        Assert.Equal(0.0, invented.Precision);
        Assert.Equal(0.0, invented.Sensitivity);
        Assert.Equal(0.5, invented.Specificity);
    }

    [Fact]
    public void Count_RejectsMasksOfDifferentLengths_NamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => ConfusionCounts.Count(new bool[3], new bool[4]));
        Assert.Contains("3", e.Message, StringComparison.Ordinal);
        Assert.Contains("4", e.Message, StringComparison.Ordinal);
    }
}
