using SegAN.Data;
using SegAN.Metrics;

namespace SegAN.Evaluation;

/// <summary>The scores of one case: its files and, per region (WT, TC, ET in that order), the five metrics.</summary>
public sealed record CaseEvaluation(string Case, string PredictionFile, string TruthFile, IReadOnlyList<RegionScores> Regions)
{
    /// <summary>The scores of <paramref name="region"/>.</summary>
    public SegmentationScores this[Region region] => Regions.First(r => r.Region == region).Scores;
}

/// <summary>The five metrics of one region of one case, and its lesion-wise scores when they were asked for.</summary>
public sealed record RegionScores(Region Region, SegmentationScores Scores, LesionWiseScores? LesionWise = null);

/// <summary>Mean, median, standard deviation (population, as numpy's default), minimum and maximum over the evaluated cases; NaN when there are none.</summary>
public sealed record MetricSummary(double Mean, double Median, double Std, double Min, double Max)
{
    /// <summary>Summarises <paramref name="values"/>.</summary>
    public static MetricSummary Of(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new MetricSummary(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = values.Order().ToArray();
        var mean = sorted.Average();
        var variance = sorted.Sum(v => (v - mean) * (v - mean)) / sorted.Length;
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new MetricSummary(mean, median, Math.Sqrt(variance), sorted[0], sorted[^1]);
    }
}

/// <summary>Summaries of each metric of one region over the evaluated cases.</summary>
public sealed record RegionSummary(
    Region Region,
    MetricSummary Dice,
    MetricSummary Precision,
    MetricSummary Sensitivity,
    MetricSummary Specificity,
    MetricSummary Hd95,
    LesionWiseSummary? LesionWise = null);

/// <summary>Lesion-wise Dice and HD95 summarised over the evaluated cases, and the lesion counts added up over them.</summary>
public sealed record LesionWiseSummary(MetricSummary Dice, MetricSummary Hd95, int TruePositives, int FalsePositives, int FalseNegatives)
{
    /// <summary>Summarises the lesion-wise scores of one region over the cases.</summary>
    public static LesionWiseSummary Of(IReadOnlyCollection<LesionWiseScores> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return new LesionWiseSummary(
            MetricSummary.Of(scores.Select(s => s.Dice).ToList()),
            MetricSummary.Of(scores.Select(s => s.Hd95).ToList()),
            scores.Sum(s => s.TruePositives),
            scores.Sum(s => s.FalsePositives),
            scores.Sum(s => s.FalseNegatives));
    }
}

/// <summary>
/// Everything <see cref="FolderEvaluator"/> found: the scored cases (sorted by name), the per-region summaries,
/// and the cases that could not be scored because the prediction or the truth is missing.
/// </summary>
public sealed record EvaluationResult(
    LabelConvention Labels,
    IReadOnlyList<CaseEvaluation> Cases,
    IReadOnlyList<RegionSummary> Regions,
    IReadOnlyList<string> MissingPredictions,
    IReadOnlyList<string> MissingTruths)
{
    /// <summary>The challenge whose lesion-wise scores the cases carry; null when they carry none.</summary>
    public BratsChallenge? LesionWise { get; init; }

    /// <summary>Summaries from scored cases (regions in WT, TC, ET order); lesion-wise ones when <paramref name="lesionWise"/> is set.</summary>
    public static EvaluationResult Create(LabelConvention labels, IReadOnlyList<CaseEvaluation> cases, IReadOnlyList<string> missingPredictions, IReadOnlyList<string> missingTruths, BratsChallenge? lesionWise = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var regions = LabelNames.Regions.Select(region =>
        {
            var scores = cases.Select(c => c[region]).ToList();
            var lesions = lesionWise is null
                ? null
                : LesionWiseSummary.Of(cases.Select(c => c.Regions.First(r => r.Region == region).LesionWise
                    ?? throw new ArgumentException($"case {c.Case} has no lesion-wise scores", nameof(cases))).ToList());
            return new RegionSummary(
                region,
                MetricSummary.Of(scores.Select(s => s.Dice).ToList()),
                MetricSummary.Of(scores.Select(s => s.Precision).ToList()),
                MetricSummary.Of(scores.Select(s => s.Sensitivity).ToList()),
                MetricSummary.Of(scores.Select(s => s.Specificity).ToList()),
                MetricSummary.Of(scores.Select(s => s.Hd95).ToList()),
                lesions);
        }).ToList();
        return new EvaluationResult(labels, cases, regions, missingPredictions, missingTruths) { LesionWise = lesionWise };
    }

    /// <summary>The mean Dice of each region, averaged over the three regions (the "mean" BraTS leaderboards rank by).</summary>
    public double MeanDice => Regions.Average(r => r.Dice.Mean);

    /// <summary>Whether any case lacks a prediction or a truth.</summary>
    public bool HasMissing => MissingPredictions.Count > 0 || MissingTruths.Count > 0;
}
