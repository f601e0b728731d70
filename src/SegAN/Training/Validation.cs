using SegAN.Compute;
using SegAN.Data;
using SegAN.Metrics;
using SegAN.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Training;

/// <summary>
/// One whole validation volume as slices: <see cref="Images"/> (Z, C, H, W) centre-cropped like the training
/// slices, <see cref="Targets"/> (Z, 3, H, W) 0/1 regions WT, TC, ET; both row-major float32.
/// </summary>
public sealed record ValidationCase(string Id, float[] Images, float[] Targets, int Slices, int Channels, int Height, int Width);

/// <summary>The validation volumes, loaded one at a time so that only one is in memory.</summary>
public interface IValidationSet
{
    /// <summary>Number of cases.</summary>
    int Count { get; }

    /// <summary>Case <paramref name="index"/> (0-based).</summary>
    ValidationCase GetCase(int index);
}

/// <summary>An in-memory <see cref="IValidationSet"/>.</summary>
public sealed class InMemoryValidationSet(IReadOnlyList<ValidationCase> cases) : IValidationSet
{
    /// <inheritdoc/>
    public int Count => cases.Count;

    /// <inheritdoc/>
    public ValidationCase GetCase(int index) => cases[index];
}

/// <summary>Dice per region (WT, TC, ET) of one case, over the restacked volume.</summary>
public sealed record CaseDice(string Id, double Wt, double Tc, double Et);

/// <summary>Mean Dice per region over the cases, and their mean.</summary>
public sealed record ValidationResult(double Wt, double Tc, double Et, IReadOnlyList<CaseDice> Cases)
{
    /// <summary>Mean of the three regions' mean Dice: the model-selection score.</summary>
    public double Mean => (Wt + Tc + Et) / 3;
}

/// <summary>
/// Validates a segmentor on whole volumes: predicts every slice (no gradient, evaluation-mode batch norm), thresholds
/// the region probabilities at 0.5, keeps them only where the image has signal (as predict does) and computes Dice
/// per region over the whole volume, 1 when both prediction and truth are empty (the BraTS convention).
/// </summary>
public static class Validator
{
    /// <summary>Runs <paramref name="segmentor"/> over <paramref name="set"/> in chunks of <paramref name="batchSize"/> slices.</summary>
    public static ValidationResult Evaluate(RegionSegmentor segmentor, IValidationSet set, int batchSize, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (set.Count == 0)
        {
            throw new SegANException("The validation set is empty.");
        }

        var wasTraining = segmentor.training;
        segmentor.eval();
        try
        {
            var cases = new List<CaseDice>(set.Count);
            for (var i = 0; i < set.Count; i++)
            {
                var validationCase = set.GetCase(i);
                using (NoGcRegion.Enter())
                {
                    cases.Add(EvaluateCase(segmentor, validationCase, batchSize, device ?? CPU));
                }
            }

            return new ValidationResult(cases.Average(c => c.Wt), cases.Average(c => c.Tc), cases.Average(c => c.Et), cases);
        }
        finally
        {
            segmentor.train(wasTraining);
        }
    }

    /// <summary>
    /// Region masks (N, 3, H, W) made nested the way predicted label maps are (ET within TC within WT, by union, as
    /// <see cref="Data.BratsLabels.ToLabel"/> numbers them), so that validation scores what prediction will write.
    /// </summary>
    internal static Tensor Nest(Tensor regions)
    {
        var et = regions.narrow(1, 2, 1);
        var tc = regions.narrow(1, 1, 1).logical_or(et);
        var wt = regions.narrow(1, 0, 1).logical_or(tc);
        return torch.cat([wt, tc, et], 1);
    }

    private static CaseDice EvaluateCase(RegionSegmentor segmentor, ValidationCase c, int batchSize, Device device)
    {
        if (c.Channels != segmentor.Architecture.InChannels)
        {
            throw new SegANException($"Validation case {c.Id} has {c.Channels} channels; the network expects {segmentor.Architecture.InChannels}.");
        }

        long plane = (long)c.Height * c.Width;
        if (c.Images.LongLength != c.Slices * c.Channels * plane || c.Targets.LongLength != c.Slices * SliceBatch.RegionCount * plane)
        {
            throw new SegANException($"Validation case {c.Id}: arrays do not match the declared shape ({c.Slices}, {c.Channels}, {c.Height}, {c.Width}).");
        }

        var inter = new long[3];
        var pred = new long[3];
        var truth = new long[3];
        using (torch.inference_mode())
        {
            using var all = torch.NewDisposeScope();
            var images = torch.tensor(c.Images, [c.Slices, c.Channels, c.Height, c.Width]);
            var targets = torch.tensor(c.Targets, [c.Slices, SliceBatch.RegionCount, c.Height, c.Width]);
            long[] dims = [0, 2, 3];
            for (var start = 0; start < c.Slices; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var n = Math.Min(batchSize, c.Slices - start);
                var x = images.narrow(0, start, n).to(device);
                // Only where the image has signal, as predict writes (CasePredictor.MaskBackground).
                var p = Nest(segmentor.forward(x).gt(0.5)).logical_and(x.ne(0).any(1, keepdim: true));
                var t = targets.narrow(0, start, n).to(device).gt(0.5);
                var counts = torch.stack([p.logical_and(t).sum(dims), p.sum(dims), t.sum(dims)]).cpu();
                var values = counts.data<long>().ToArray();
                for (var r = 0; r < 3; r++)
                {
                    inter[r] += values[r];
                    pred[r] += values[3 + r];
                    truth[r] += values[6 + r];
                }
            }
        }

        return new CaseDice(c.Id, ConfusionCounts.DiceOf(inter[0], pred[0], truth[0]), ConfusionCounts.DiceOf(inter[1], pred[1], truth[1]), ConfusionCounts.DiceOf(inter[2], pred[2], truth[2]));
    }
}
