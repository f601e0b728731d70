using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Losses;

/// <summary>How the soft Dice loss treats the three regions.</summary>
public enum DiceReduction
{
    /// <summary>One Dice per region, averaged: each region weighs the same, however small.</summary>
    PerRegion,

    /// <summary>One Dice over all regions' voxels together, as the PyTorch reference trains: large regions weigh more.</summary>
    Pooled,
}

/// <summary>
/// Soft Dice loss on region probabilities, with smoothing s = 1 so that empty regions give no NaN: per region,
/// <c>1 - mean_r (2 sum p y + s) / (sum p + sum y + s)</c>, each sum over the whole batch and all pixels of region r;
/// pooled, the same with every sum over all regions at once. An optional extra term for the segmentor
/// (<c>--dice-weight</c>); the authors' released code adds it with weight 1.
/// </summary>
public static class DiceLoss
{
    /// <summary>Smoothing added to numerator and denominator.</summary>
    public const double Smooth = 1.0;

    /// <summary>Predicted probabilities (N, R, H, W) and 0/1 truth of the same shape -> scalar loss in [0, 1).</summary>
    public static Tensor Compute(Tensor predicted, Tensor truth, DiceReduction reduction = DiceReduction.PerRegion)
    {
        if (!predicted.shape.SequenceEqual(truth.shape) || predicted.dim() != 4)
        {
            throw new ArgumentException(
                $"Dice loss needs (N, R, H, W) prediction and truth of one shape, got ({string.Join(", ", predicted.shape)}) and ({string.Join(", ", truth.shape)}).",
                nameof(truth));
        }

        using var scope = torch.NewDisposeScope();
        long[] dims = reduction == DiceReduction.Pooled ? [0, 1, 2, 3] : [0, 2, 3];
        var intersection = (predicted * truth).sum(dims);
        var total = predicted.sum(dims) + truth.sum(dims);
        var dice = (2 * intersection + Smooth) / (total + Smooth);
        return (1 - dice.mean()).MoveToOuterDisposeScope();
    }
}
