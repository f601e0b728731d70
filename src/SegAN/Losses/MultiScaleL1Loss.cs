using SegAN.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Losses;

/// <summary>
/// The SegAN multi-scale L1 loss (paper Eq. 2-3): the mean over critic scales i = 0..L of the mean absolute
/// difference between the critic's features of the prediction-masked images and of the truth-masked images,
/// <c>mean_i mean |C_i(x o S(x)) - C_i(x o y)|</c>, where every modality channel of x is multiplied by the label map.
/// The critic maximises it, the segmentor minimises it.
/// </summary>
public static class MultiScaleL1Loss
{
    /// <summary>
    /// Masks every modality channel by every region map: images (N, C, H, W) and maps (N, R, H, W) ->
    /// (N, R, C, H, W), region-major; <c>.reshape(N, R*C, H, W)</c> gives S3-1C's concatenation.
    /// </summary>
    public static Tensor Mask(Tensor images, Tensor maps)
    {
        using var scope = torch.NewDisposeScope();
        return (images.unsqueeze(1) * maps.unsqueeze(2)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The loss between two feature pyramids of equal length: mean over the selected scales of mean |a_i - b_i|.
    /// Returns a scalar tensor.
    /// </summary>
    public static Tensor Between(IReadOnlyList<Tensor> fake, IReadOnlyList<Tensor> real, LossScales scales = LossScales.All)
    {
        if (fake.Count != real.Count || fake.Count == 0)
        {
            throw new ArgumentException($"Feature pyramids differ in length ({fake.Count} vs {real.Count}) or are empty.", nameof(real));
        }

        using var scope = torch.NewDisposeScope();
        Tensor loss;
        switch (scales)
        {
            case LossScales.InputOnly:
                loss = (fake[0] - real[0]).abs().mean();
                break;
            case LossScales.LastOnly:
                loss = (fake[^1] - real[^1]).abs().mean();
                break;
            default:
                loss = (fake[0] - real[0]).abs().mean();
                for (var i = 1; i < fake.Count; i++)
                {
                    loss = loss + (fake[i] - real[i]).abs().mean();
                }

                loss = loss / fake.Count;
                break;
        }

        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The variant's loss for images x (N, C, H, W), predicted region maps (N, 3, H, W) and truth (N, 3, H, W):
    /// S3-1C feeds one critic the three masked images concatenated (N, 3C, H, W); S1-1C, S3-3C and S3-3C-s3 feed
    /// critic k the images masked by region k and average the three losses; S3-3C-s0 is the L1 distance between the
    /// masked images (scale 0) and needs no critic. <paramref name="realFeatures"/>, when given, are the critics'
    /// features of the truth-masked images computed beforehand (e.g. without gradient).
    /// Returns a scalar tensor.
    /// </summary>
    public static Tensor Compute(
        Variant variant,
        IReadOnlyList<Critic> critics,
        Tensor images,
        Tensor predicted,
        Tensor truth,
        IReadOnlyList<Tensor[]>? realFeatures = null)
    {
        if (!variant.UsesMultiScaleLoss())
        {
            throw new ArgumentException($"Variant {variant.CliName()} is not trained with the multi-scale loss.", nameof(variant));
        }

        if (critics.Count != variant.CriticCount())
        {
            throw new ArgumentException($"Variant {variant.CliName()} needs {variant.CriticCount()} critics, got {critics.Count}.", nameof(critics));
        }

        using var scope = torch.NewDisposeScope();
        var fakeMasked = Mask(images, predicted);
        if (variant == Variant.S3_3C_S0)
        {
            var realMasked = Mask(images, truth);
            return (fakeMasked - realMasked).abs().mean().MoveToOuterDisposeScope();
        }

        var scales = variant.Scales();
        if (variant == Variant.S3_1C)
        {
            var n = images.shape[0];
            var fake = critics[0].forward(fakeMasked.reshape(n, -1, images.shape[2], images.shape[3]));
            var real = realFeatures?[0] ?? RealFeatures(variant, critics, images, truth)[0];
            return Between(fake, real, scales).MoveToOuterDisposeScope();
        }

        Tensor? sum = null;
        for (var k = 0; k < critics.Count; k++)
        {
            var fake = critics[k].forward(fakeMasked.select(1, k));
            var real = realFeatures?[k] ?? critics[k].forward(Mask(images, truth.narrow(1, k, 1)).select(1, 0));
            var l = Between(fake, real, scales);
            sum = sum is null ? l : sum + l;
        }

        return (sum! / critics.Count).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The critics' features of the truth-masked images, one pyramid per critic, in the layout
    /// <see cref="Compute"/> expects; tensors belong to the caller's dispose scope.
    /// </summary>
    public static Tensor[][] RealFeatures(Variant variant, IReadOnlyList<Critic> critics, Tensor images, Tensor truth)
    {
        var masked = Mask(images, truth);
        if (variant == Variant.S3_1C)
        {
            return [critics[0].forward(masked.reshape(images.shape[0], -1, images.shape[2], images.shape[3]))];
        }

        var result = new Tensor[critics.Count][];
        for (var k = 0; k < critics.Count; k++)
        {
            result[k] = critics[k].forward(masked.select(1, k));
        }

        return result;
    }
}
