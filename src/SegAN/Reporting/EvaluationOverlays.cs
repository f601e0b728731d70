using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Imaging;
using SegAN.Metrics;

namespace SegAN.Reporting;

/// <summary>
/// Overlay pictures for an evaluation: for a few cases (worst, median and best by mean Dice), the axial slice with
/// the largest truth whole tumour, showing the image, the truth and the prediction side by side
/// (<see cref="TumourOverlay.RenderComparison"/>). The image is the case's FLAIR (else T1c, T2, T1), found beside
/// its truth under any BraTS release's file names; cases without one (a flat folder of label maps) are left out.
/// </summary>
public static class EvaluationOverlays
{
    private static readonly string[] PreferredModalities = ["FLAIR", "T1c", "T2", "T1"];

    /// <summary>Up to <paramref name="maxCases"/> comparison figures.</summary>
    public static IReadOnlyList<ReportFigure> Render(EvaluationResult result, int maxCases = 3)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCases, 0);
        var figures = new List<ReportFigure>();
        foreach (var (c, why) in PickCases(result.Cases, maxCases))
        {
            var imageFile = FindImage(c.TruthFile);
            if (imageFile is null)
            {
                continue;
            }

            var image = ImageFile.Read(imageFile.Value.Path);
            var truthLabels = FolderEvaluator.ReadLabelMap(c.TruthFile);
            if (!image.Geometry.Shape.SequenceEqual(truthLabels.Geometry.Shape))
            {
                continue; // an image of another grid cannot carry the masks
            }

            var truth = Masks(truthLabels, result.Labels, c.TruthFile);
            var prediction = Masks(FolderEvaluator.ReadLabelMap(c.PredictionFile), result.Labels, c.PredictionFile);

            var z = TumourOverlay.LargestSlice(truth.WholeTumour, image.Geometry.Shape);
            var title = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"{c.Case} ({why}), {imageFile.Value.Modality} slice {z}: Dice WT {c[Region.WholeTumour].Dice:0.00}, TC {c[Region.TumourCore].Dice:0.00}, ET {c[Region.EnhancingTumour].Dice:0.00}");
            figures.Add(ReportFigure.FromImage(title, TumourOverlay.RenderComparison(image, z, truth, prediction, title)));
        }

        return figures;
    }

    /// <summary>The three region masks of a label map.</summary>
    internal static TumourMasks Masks(Volume labels, LabelConvention convention, string source)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var regions = BratsLabels.ToRegions(labels.Data, convention, source);
        var n = labels.Data.Length;
        bool[] Region(int r) => BinaryMask.From(regions.AsSpan(r * n, n));
        return new TumourMasks(Region(0), Region(1), Region(2));
    }

    private static List<(CaseEvaluation Case, string Why)> PickCases(IReadOnlyList<CaseEvaluation> cases, int max)
    {
        var ranked = cases.OrderBy(c => c.Regions.Average(r => r.Scores.Dice)).ThenBy(c => c.Case, StringComparer.Ordinal).ToList();
        var picks = new List<(CaseEvaluation Case, string Why)>();
        void Add(int index, string why)
        {
            if (picks.Count < max && index >= 0 && index < ranked.Count && picks.All(p => p.Item1 != ranked[index]))
            {
                picks.Add((ranked[index], why));
            }
        }

        Add(0, "worst");
        Add(ranked.Count / 2, "median");
        Add(ranked.Count - 1, "best");
        for (var i = 1; i < ranked.Count && picks.Count < max; i++)
        {
            Add(i, "more");
        }

        return picks;
    }

    private static (string Path, string Modality)? FindImage(string truthFile)
    {
        var presets = new[] { DatasetPreset.Brats2021, DatasetPreset.Brats2023, DatasetPreset.Brats2015 };
        var name = Path.GetFileName(truthFile);
        if (!presets.Any(p => FileNamePattern.IsMatch(name, DatasetPresets.SegPattern(p))))
        {
            return null; // a flat folder of label maps has no images beside them
        }

        var folder = Path.GetDirectoryName(truthFile);
        if (FileNamePattern.IsMatch(name, DatasetPresets.SegPattern(DatasetPreset.Brats2015)))
        {
            folder = Path.GetDirectoryName(folder); // each .mha sits in its own folder inside the case folder
        }

        if (folder is null)
        {
            return null;
        }

        var files = Data.DatasetFiles.Enumerate(folder).ToList();
        foreach (var modality in PreferredModalities)
        {
            foreach (var preset in presets)
            {
                var pattern = DatasetPresets.AllModalities(preset).First(m => m.Name == modality).Pattern;
                var match = files.FirstOrDefault(f => FileNamePattern.IsMatch(Path.GetFileName(f), pattern));
                if (match is not null)
                {
                    return (match, modality);
                }
            }
        }

        return null;
    }
}
