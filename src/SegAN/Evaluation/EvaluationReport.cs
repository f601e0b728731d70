using System.Globalization;
using System.Text;
using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Evaluation;

/// <summary>
/// Writes an <see cref="EvaluationResult"/> as files: <c>cases.csv</c> (one row per case and region),
/// <c>summary.json</c> (per region, each metric's mean, median, std, min, max; then the mean over regions; the
/// missing cases) and <c>summary.md</c> (a Markdown table). Each file is written atomically.
/// </summary>
public static class EvaluationReport
{
    /// <summary>The per-case table's name: <c>cases.csv</c>.</summary>
    public const string CasesFile = "cases.csv";

    /// <summary>The summary's name: <c>summary.json</c> (per region, then the mean).</summary>
    public const string SummaryJsonFile = EvaluationSummaryFile.FileName;

    /// <summary>The readable summary's name.</summary>
    public const string SummaryMarkdownFile = "summary.md";

    /// <summary>The header of <c>cases.csv</c>.</summary>
    public const string CsvHeader = "case,region,dice,precision,sensitivity,specificity,hd95";

    /// <summary>The columns <c>cases.csv</c> adds when the lesion-wise scores were asked for.</summary>
    public const string LesionCsvColumns = "lesion_dice,lesion_hd95,lesion_tp,lesion_fp,lesion_fn";

    /// <summary>Writes the three files into <paramref name="folder"/> (created if needed); returns their paths.</summary>
    public static IReadOnlyList<string> Write(EvaluationResult result, DirectoryInfo folder)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(folder);
        try
        {
            folder.Create();
        }
        catch (IOException e)
        {
            throw new SegANException($"{folder.FullName}: cannot create the report folder: {e.Message}", e);
        }

        var paths = new[] { CasesFile, SummaryJsonFile, SummaryMarkdownFile }.Select(f => Path.Combine(folder.FullName, f)).ToArray();
        WriteText(paths[0], ToCsv(result));
        EvaluationSummaryFile.From(result).Write(paths[1]);
        WriteText(paths[2], ToMarkdown(result));
        return paths;
    }

    /// <summary><c>cases.csv</c>: a header, then one row per case and region (WT, TC, ET), numbers in invariant culture.</summary>
    public static string ToCsv(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lesionWise = result.LesionWise is not null;
        var csv = new StringBuilder(CsvHeader).Append(lesionWise ? "," + LesionCsvColumns : "").Append('\n');
        foreach (var c in result.Cases)
        {
            foreach (var r in c.Regions)
            {
                var s = r.Scores;
                csv.Append(CsvField(c.Case)).Append(',').Append(r.Region.ShortName());
                foreach (var v in new[] { s.Dice, s.Precision, s.Sensitivity, s.Specificity, s.Hd95 })
                {
                    csv.Append(',').Append(Number(v));
                }

                if (lesionWise && r.LesionWise is { } l)
                {
                    csv.Append(',').Append(Number(l.Dice)).Append(',').Append(Number(l.Hd95))
                        .Append(CultureInfo.InvariantCulture, $",{l.TruePositives},{l.FalsePositives},{l.FalseNegatives}");
                }

                csv.Append('\n');
            }
        }

        return csv.ToString();
    }

    /// <summary><c>summary.json</c>: labels, counts, regions (WT, TC, ET) with each metric's statistics, the mean over regions, and the missing cases.</summary>
    public static string ToJson(EvaluationResult result) => EvaluationSummaryFile.From(result).ToJson();

    /// <summary><c>summary.md</c>: a table of mean ± std (median) per region and metric, and the missing cases.</summary>
    public static string ToMarkdown(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Evaluation ({result.Cases.Count} cases, labels {result.Labels.Name()})\n\n");
        md.Append("Mean ± standard deviation (median) over the evaluated cases; HD95 in mm.\n\n");
        md.Append("| Region | Dice | Precision | Sensitivity | Specificity | HD95 |\n");
        md.Append("| --- | --- | --- | --- | --- | --- |\n");
        foreach (var region in result.Regions)
        {
            md.Append("| ").Append(region.Region.ShortName());
            foreach (var s in Summaries(region))
            {
                md.Append(" | ").Append(FormatSummary(s));
            }

            md.Append(" |\n");
        }

        md.Append('\n');
        if (result.LesionWise is { } challenge)
        {
            md.Append(CultureInfo.InvariantCulture, $"BraTS 2023-2024 lesion-wise scores (challenge {challenge.Name()}: dilation {challenge.Dilation()}, lesions over {challenge.VolumeThreshold()} mm³); ");
            md.Append("HD95 by DeepMind's surface-distance definition, 374 mm per missed or false-positive lesion; lesion counts added up over the cases.\n\n");
            md.Append("| Region | Lesion-wise Dice | Lesion-wise HD95 | TP | FP | FN |\n");
            md.Append("| --- | --- | --- | --- | --- | --- |\n");
            foreach (var region in result.Regions)
            {
                var l = region.LesionWise!;
                md.Append("| ").Append(region.Region.ShortName()).Append(" | ").Append(FormatSummary(l.Dice)).Append(" | ").Append(FormatSummary(l.Hd95))
                    .Append(CultureInfo.InvariantCulture, $" | {l.TruePositives} | {l.FalsePositives} | {l.FalseNegatives} |\n");
            }

            md.Append('\n');
        }

        md.Append("Missing predictions: ").Append(result.MissingPredictions.Count == 0 ? "none" : string.Join(", ", result.MissingPredictions)).Append("\n\n");
        md.Append("Missing truths: ").Append(result.MissingTruths.Count == 0 ? "none" : string.Join(", ", result.MissingTruths)).Append('\n');
        return md.ToString();
    }

    /// <summary>"0.912 ± 0.034 (0.920)", or "n/a" without cases.</summary>
    public static string FormatSummary(MetricSummary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return double.IsNaN(s.Mean)
            ? "n/a"
            : string.Create(CultureInfo.InvariantCulture, $"{s.Mean:0.000} ± {s.Std:0.000} ({s.Median:0.000})");
    }

    /// <summary>The five summaries of a region in column order: Dice, precision, sensitivity, specificity, HD95.</summary>
    public static IReadOnlyList<MetricSummary> Summaries(RegionSummary region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return [region.Dice, region.Precision, region.Sensitivity, region.Specificity, region.Hd95];
    }

    private static string Number(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    private static string CsvField(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static void WriteText(string path, string text)
    {
        var bytes = new UTF8Encoding(false).GetBytes(text);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
