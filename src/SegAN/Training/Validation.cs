using SegAN.Data;
using SegAN.Inference;
using SegAN.Metrics;
using SegAN.Models;
using SegAN.Persistence;
using static TorchSharp.torch;

namespace SegAN.Training;

/// <summary>
/// The validation cases, loaded one at a time so that only one is in memory: prepared as for training (the grid,
/// normalised images and region maps), which is what prediction segments after its own preprocessing.
/// </summary>
public interface IValidationSet
{
    /// <summary>Number of cases.</summary>
    int Count { get; }

    /// <summary>Case <paramref name="index"/> (0-based); it must have region maps.</summary>
    PreparedCase GetCase(int index);
}

/// <summary>An in-memory <see cref="IValidationSet"/>.</summary>
public sealed class InMemoryValidationSet(IReadOnlyList<PreparedCase> cases) : IValidationSet
{
    /// <inheritdoc/>
    public int Count => cases.Count;

    /// <inheritdoc/>
    public PreparedCase GetCase(int index) => cases[index];
}

/// <summary>Dice per region (WT, TC, ET) of one case, over its prepared grid.</summary>
public sealed record CaseDice(string Id, double Wt, double Tc, double Et);

/// <summary>Mean Dice per region over the cases, and their mean.</summary>
public sealed record ValidationResult(double Wt, double Tc, double Et, IReadOnlyList<CaseDice> Cases)
{
    /// <summary>Mean of the three regions' mean Dice: the model-selection score.</summary>
    public double Mean => (Wt + Tc + Et) / 3;
}

/// <summary>
/// Validates a segmentor on whole volumes through prediction's own code: the live network becomes a
/// <see cref="TorchSegmentationEngine"/> (evaluation-mode batch norm, no gradient, the same weights, not a copy) and
/// each case is segmented by <see cref="PreparedCaseSegmenter"/> with <c>segan predict</c>'s default options (whole
/// slices, threshold 0.5, regions nested, kept only where the image has signal), as nnU-Net validates through its
/// predictor. Dice per region is computed over the prepared grid, 1 when both prediction and truth are empty (the
/// BraTS convention).
/// </summary>
public static class Validator
{
    /// <summary>What the live network is called in errors.</summary>
    private const string NetworkName = "the segmentor in training";

    /// <summary>
    /// Runs <paramref name="segmentor"/> (on <paramref name="device"/>, CPU by default: where it trains) over
    /// <paramref name="set"/> in batches of <paramref name="batchSize"/> slices.
    /// </summary>
    public static ValidationResult Evaluate(RegionSegmentor segmentor, IValidationSet set, int batchSize, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(segmentor);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (set.Count == 0)
        {
            throw new SegANException("The validation set is empty.");
        }

        var wasTraining = segmentor.training;
        try
        {
            var first = Checked(set.GetCase(0), segmentor);
            // Not owned: disposing the engine leaves the network to the trainer; it is already on the device, so not moved.
            using var engine = new TorchSegmentationEngine(segmentor, LiveModelInfo(segmentor, first), device ?? CPU, ownsModel: false);
            var segmenter = new PreparedCaseSegmenter(engine, new PredictOptions(BatchSize: batchSize));
            var cases = new List<CaseDice>(set.Count);
            for (var i = 0; i < set.Count; i++)
            {
                var validationCase = i == 0 ? first : Checked(set.GetCase(i), segmentor);
                cases.Add(Score(validationCase, segmenter.Regions(validationCase)));
            }

            return new ValidationResult(cases.Average(c => c.Wt), cases.Average(c => c.Tc), cases.Average(c => c.Et), cases);
        }
        finally
        {
            segmentor.train(wasTraining);
        }
    }

    /// <summary>Dice per region of <paramref name="predicted"/> regions (Z, 3, H, W) against the case's own.</summary>
    private static CaseDice Score(PreparedCase c, byte[] predicted)
    {
        var truth = c.Regions ?? throw new SegANException($"Validation case {c.Name} has no segmentation.");
        var plane = c.SliceSize;
        var counts = new ConfusionCounts[SliceBatch.RegionCount];
        for (var z = 0; z < c.Depth; z++)
        {
            for (var r = 0; r < SliceBatch.RegionCount; r++)
            {
                var offset = ((z * SliceBatch.RegionCount) + r) * plane;
                var slice = ConfusionCounts.Count(predicted.AsSpan(offset, plane), truth.AsSpan(offset, plane));
                counts[r] = new ConfusionCounts(
                    counts[r].TruePositives + slice.TruePositives,
                    counts[r].FalsePositives + slice.FalsePositives,
                    counts[r].FalseNegatives + slice.FalseNegatives,
                    counts[r].TrueNegatives + slice.TrueNegatives);
            }
        }

        return new CaseDice(c.Name, counts[0].Dice, counts[1].Dice, counts[2].Dice);
    }

    private static PreparedCase Checked(PreparedCase c, RegionSegmentor segmentor) =>
        c.Channels == segmentor.Architecture.InChannels
            ? c
            : throw new SegANException($"Validation case {c.Name} has {c.Channels} channels; the network expects {segmentor.Architecture.InChannels}.");

    /// <summary>What prediction needs to know of the network still in training: its architecture and input channels.</summary>
    private static SegmentationModelInfo LiveModelInfo(RegionSegmentor segmentor, PreparedCase first) =>
        new(NetworkName, ModelFileKind.Segan, new ModelHeader(
            ModelFile.FormatVersion, segmentor.Architecture, first.Modalities, first.Labels.Name(), Preprocessing: null, Step: 0, ValidationDice: null, Created: default));
}
