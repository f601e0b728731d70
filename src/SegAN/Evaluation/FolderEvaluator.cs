using System.Globalization;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Metrics;

namespace SegAN.Evaluation;

/// <summary>
/// Evaluates a folder of predicted label maps against a folder of truths the BraTS way (nnU-Net's
/// evaluate_folder): cases matched by name (<see cref="CasePairing"/>), each label map turned into the WT, TC and
/// ET masks of the label convention, and per case and region Dice, precision, sensitivity, specificity and HD95
/// (voxel spacing from the truth's header). Missing predictions or truths are listed, never skipped silently.
/// </summary>
public static class FolderEvaluator
{
    /// <summary>Scores every case that has both files; cases run in parallel (pure work, no shared state).</summary>
    /// <exception cref="SegANException">a folder is missing, no case has both files, a file cannot be read, holds a
    /// label outside the convention, or a prediction's shape differs from its truth's.</exception>
    public static EvaluationResult Evaluate(EvaluateOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var pairs = CasePairing.Match(options.Predictions, options.Truth);
        var complete = pairs.Where(p => p.PredictionFile is not null && p.TruthFile is not null).ToList();
        var missingPredictions = pairs.Where(p => p.PredictionFile is null).Select(p => p.Case).ToList();
        var missingTruths = pairs.Where(p => p.TruthFile is null).Select(p => p.Case).ToList();
        if (complete.Count == 0)
        {
            throw new SegANException(
                $"{options.Predictions.FullName}: no prediction matches a truth case in {options.Truth.FullName} " +
                $"({pairs.Count - missingTruths.Count} truth cases, {pairs.Count - missingPredictions.Count} predictions)");
        }

        var results = new CaseEvaluation[complete.Count];
        var reporting = new Lock(); // reports come from worker threads; consoles are not thread-safe
        try
        {
            Parallel.For(0, complete.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, i =>
            {
                var pair = complete[i];
                results[i] = EvaluateCase(pair.Case, pair.PredictionFile!, pair.TruthFile!, options.Labels, options.LesionWise);
                using var _ = reporting.EnterScope();
                progress?.Report(pair.Case);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<SegANException>().FirstOrDefault() is { } first)
        {
            throw first;
        }

        return EvaluationResult.Create(options.Labels, results, missingPredictions, missingTruths, options.LesionWise);
    }

    /// <summary>Reads two label maps and scores them (see <see cref="EvaluateCase(string, Volume, Volume, LabelConvention, string, string, BratsChallenge?)"/>).</summary>
    public static CaseEvaluation EvaluateCase(string name, string predictionFile, string truthFile, LabelConvention labels, BratsChallenge? lesionWise = null)
    {
        var prediction = ReadLabelMap(predictionFile);
        var truth = ReadLabelMap(truthFile);
        return EvaluateCase(name, prediction, truth, labels, predictionFile, truthFile, lesionWise);
    }

    /// <summary>
    /// Scores one case: both label maps must have the same shape; the truth's voxel spacing measures HD95.
    /// The file names only label errors and the result. With <paramref name="lesionWise"/>, each region also gets
    /// the lesion-wise scores of that challenge (<see cref="LesionWiseMetrics"/>).
    /// </summary>
    public static CaseEvaluation EvaluateCase(string name, Volume prediction, Volume truth, LabelConvention labels, string predictionFile, string truthFile, BratsChallenge? lesionWise = null)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(truth);
        if (!prediction.Geometry.Shape.SequenceEqual(truth.Geometry.Shape))
        {
            throw new SegANException(
                $"{predictionFile}: shape {Shape(prediction)} differs from the truth {truthFile} ({Shape(truth)})");
        }

        MaskGrid grid;
        try
        {
            grid = new MaskGrid(truth.Geometry.Shape, truth.Geometry.Spacing);
        }
        catch (ArgumentException e)
        {
            throw new SegANException($"{truthFile}: voxel spacing {string.Join(" x ", truth.Geometry.Spacing.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))} cannot measure distances ({e.Message})", e);
        }

        var predicted = BratsLabels.ToRegions(prediction.Data, labels, predictionFile);
        var expected = BratsLabels.ToRegions(truth.Data, labels, truthFile);
        var n = prediction.Data.Length;
        var regions = LabelNames.Regions.Select(region =>
        {
            var offset = (int)region * n;
            var p = BinaryMask.From(predicted.AsSpan(offset, n));
            var t = BinaryMask.From(expected.AsSpan(offset, n));
            var lesions = lesionWise is { } challenge ? LesionWiseMetrics.Compute(p, t, grid, challenge) : null;
            return new RegionScores(region, SegmentationScores.Compute(p, t, grid), lesions);
        }).ToList();
        return new CaseEvaluation(name, predictionFile, truthFile, regions);
    }

    /// <summary>Reads a label map (NIfTI <c>.nii</c>/<c>.nii.gz</c> or MetaImage <c>.mha</c>/<c>.mhd</c>).</summary>
    public static Volume ReadLabelMap(string path) => ImageFile.Read(path);

    private static string Shape(Volume v) => string.Join("x", v.Geometry.Shape);
}
