using System.Globalization;
using System.Text;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Imaging;
using SegAN.Training;

namespace SegAN.Reporting;

/// <summary>
/// A self-contained HTML report of an evaluation: the per-region summary table, a Dice bar chart, the training
/// curves of the run (when a run folder with <c>metrics.jsonl</c> is given), overlay pictures and the per-case
/// table. Pictures are embedded as base64 PNG data URIs and the style is inline, so the one file opens offline.
/// </summary>
public static class HtmlReport
{
    /// <summary>The report's file name in an evaluation folder.</summary>
    public const string FileName = "report.html";

    /// <summary>The HTML text.</summary>
    public static string Render(EvaluationResult result, string? runFolder = null, IReadOnlyList<ReportFigure>? overlays = null, string title = "SegAN evaluation")
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(title);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title>\n");
        html.Append("""
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border: 1px solid #bbb; padding: 0.3em 0.7em; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            th { background: #eee; }
            figure { margin: 1em 0; }
            figcaption { font-size: 0.9em; color: #555; }
            img { max-width: 100%; }
            .missing { color: #a60; }
            </style>

            """);
        html.Append("</head>\n<body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(title)}</h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p>{result.Cases.Count} cases, labels {E(result.Labels.Name())}. Mean ± standard deviation (median) over the cases; HD95 in mm. Mean Dice over regions: <b>{Fmt(result.MeanDice)}</b>.</p>\n");

        html.Append("<h2>Summary</h2>\n<table>\n<tr><th>Region</th><th>Dice</th><th>Precision</th><th>Sensitivity</th><th>Specificity</th><th>HD95</th></tr>\n");
        foreach (var region in result.Regions)
        {
            html.Append("<tr><td>").Append(E(region.Region.ShortName())).Append("</td>");
            foreach (var s in EvaluationReport.Summaries(region))
            {
                html.Append("<td>").Append(E(EvaluationReport.FormatSummary(s))).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</table>\n");
        if (result.LesionWise is { } challenge)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Lesion-wise (BraTS {E(challenge.Name())})</h2>\n<p>The BraTS 2023-2024 ranking scores: dilation {challenge.Dilation()}, lesions over {challenge.VolumeThreshold()} mm³; HD95 by DeepMind's surface-distance definition, 374 mm per missed or false-positive lesion. Lesion counts are summed over the cases.</p>\n");
            html.Append("<table>\n<tr><th>Region</th><th>Lesion-wise Dice</th><th>Lesion-wise HD95</th><th>TP</th><th>FP</th><th>FN</th></tr>\n");
            foreach (var region in result.Regions)
            {
                var l = region.LesionWise!;
                html.Append("<tr><td>").Append(E(region.Region.ShortName())).Append("</td><td>").Append(E(EvaluationReport.FormatSummary(l.Dice)))
                    .Append("</td><td>").Append(E(EvaluationReport.FormatSummary(l.Hd95)))
                    .Append(CultureInfo.InvariantCulture, $"</td><td>{l.TruePositives}</td><td>{l.FalsePositives}</td><td>{l.FalseNegatives}</td></tr>\n");
            }

            html.Append("</table>\n");
        }

        AppendMissing(html, "Missing predictions", result.MissingPredictions);
        AppendMissing(html, "Missing truths", result.MissingTruths);

        if (result.Cases.Count > 0)
        {
            var chart = BarChart.Render(
                "Dice by region (mean ± std)",
                [.. result.Regions.Select(r => r.Region.ShortName())],
                [new BarSeries("Dice", [.. result.Regions.Select(r => r.Dice.Mean)], [.. result.Regions.Select(r => r.Dice.Std)])],
                "Dice",
                (0, 1),
                width: 600,
                height: 360);
            AppendFigure(html, ReportFigure.FromImage("Mean Dice per region; whiskers: one standard deviation.", chart));
        }

        if (runFolder is not null)
        {
            var log = Path.Combine(runFolder, "metrics.jsonl");
            html.Append("<h2>Training</h2>\n");
            if (File.Exists(log))
            {
                var entries = MetricsLog.Read(log);
                AppendFigure(html, ReportFigure.FromImage($"Training curves of {runFolder} ({entries.Count} log lines).", TrainingCurves.Render(entries)));
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"<p class=\"missing\">No training log at {E(log)}.</p>\n");
            }
        }

        if (overlays is { Count: > 0 })
        {
            html.Append("<h2>Overlays</h2>\n<p>Whole tumour yellow, tumour core blue, enhancing tumour red (as in the paper's Fig. 3).</p>\n");
            foreach (var figure in overlays)
            {
                AppendFigure(html, figure);
            }
        }

        html.Append("<h2>Cases</h2>\n<table>\n<tr><th>Case</th><th>Region</th><th>Dice</th><th>Precision</th><th>Sensitivity</th><th>Specificity</th><th>HD95</th></tr>\n");
        foreach (var c in result.Cases)
        {
            foreach (var r in c.Regions)
            {
                var s = r.Scores;
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Case)}</td><td>{E(r.Region.ShortName())}</td><td>{Fmt(s.Dice)}</td><td>{Fmt(s.Precision)}</td><td>{Fmt(s.Sensitivity)}</td><td>{Fmt(s.Specificity)}</td><td>{s.Hd95.ToString("0.00", CultureInfo.InvariantCulture)}</td></tr>\n");
            }
        }

        html.Append("</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the report to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, EvaluationResult result, string? runFolder = null, IReadOnlyList<ReportFigure>? overlays = null, string title = "SegAN evaluation")
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = new UTF8Encoding(false).GetBytes(Render(result, runFolder, overlays, title));
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    private static void AppendFigure(StringBuilder html, ReportFigure figure) =>
        html.Append(CultureInfo.InvariantCulture, $"<figure><img alt=\"{E(figure.Caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(figure.Png)}\"><figcaption>{E(figure.Caption)}</figcaption></figure>\n");

    private static void AppendMissing(StringBuilder html, string label, IReadOnlyList<string> cases)
    {
        if (cases.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"missing\">{E(label)} ({cases.Count}): {E(string.Join(", ", cases))}</p>\n");
        }
    }

    private static string Fmt(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.000", CultureInfo.InvariantCulture);

    // Only the markup characters: the file is UTF-8, so "±" and names stay readable in the source.
    private static string E(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);
}
