using SegAN.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Losses;

/// <summary>
/// The U-Net baseline's pixel-wise softmax cross-entropy (paper Table 1). Nested region targets (WT, TC, ET) become
/// four exclusive classes: 0 background, 1 WT without TC, 2 TC without ET, 3 ET, i.e. class = WT + TC + ET.
/// </summary>
public static class ClassCrossEntropyLoss
{
    /// <summary>(N, 4, H, W) logits and (N, 3, H, W) nested 0/1 region targets -> scalar mean cross-entropy.</summary>
    public static Tensor Compute(Tensor classLogits, Tensor regionTargets)
    {
        if (classLogits.dim() != 4 || classLogits.shape[1] != RegionSegmentor.UNetClasses)
        {
            throw new ArgumentException($"Expected (N, 4, H, W) logits, got ({string.Join(", ", classLogits.shape)}).", nameof(classLogits));
        }

        using var scope = torch.NewDisposeScope();
        return nn.functional.cross_entropy(classLogits, ClassesFromRegions(regionTargets)).MoveToOuterDisposeScope();
    }

    /// <summary>(N, 3, H, W) nested 0/1 regions -> (N, H, W) int64 class indices WT + TC + ET.</summary>
    public static Tensor ClassesFromRegions(Tensor regionTargets)
    {
        using var scope = torch.NewDisposeScope();
        return regionTargets.sum(1).round().to(ScalarType.Int64).MoveToOuterDisposeScope();
    }
}
