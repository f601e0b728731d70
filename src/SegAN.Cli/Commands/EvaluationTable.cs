using System.Globalization;
using SegAN.Data;
using SegAN.Evaluation;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary>The evaluation summary as a console table (shared by <c>evaluate</c> and <c>demo</c>).</summary>
internal static class EvaluationTable
{
    public static void Print(IAnsiConsole console, EvaluationResult result)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{result.Cases.Count} cases, labels {result.Labels.Name()}: mean ± std (median)")
            .AddColumn("region").AddColumn("Dice").AddColumn("precision").AddColumn("sensitivity").AddColumn("specificity").AddColumn("HD95 (mm)");
        foreach (var region in result.Regions)
        {
            table.AddRow([region.Region.ShortName(), .. EvaluationReport.Summaries(region).Select(s => Markup.Escape(EvaluationReport.FormatSummary(s)))]);
        }

        console.Write(table);
        if (result.LesionWise is { } challenge)
        {
            var lesions = new Table().Border(TableBorder.Rounded)
                .Title($"BraTS lesion-wise ({challenge.Name()}): mean ± std (median); lesions summed over cases")
                .AddColumn("region").AddColumn("lesion Dice").AddColumn("lesion HD95 (mm)").AddColumn("TP").AddColumn("FP").AddColumn("FN");
            foreach (var region in result.Regions)
            {
                var l = region.LesionWise!;
                lesions.AddRow(
                    region.Region.ShortName(),
                    Markup.Escape(EvaluationReport.FormatSummary(l.Dice)),
                    Markup.Escape(EvaluationReport.FormatSummary(l.Hd95)),
                    l.TruePositives.ToString(CultureInfo.InvariantCulture),
                    l.FalsePositives.ToString(CultureInfo.InvariantCulture),
                    l.FalseNegatives.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(lesions);
        }
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"mean Dice over regions: [bold]{result.MeanDice:0.000}[/]"));
        if (result.MissingPredictions.Count > 0)
        {
            console.MarkupLineInterpolated($"[yellow]missing predictions ({result.MissingPredictions.Count}):[/] {string.Join(", ", result.MissingPredictions)}");
        }

        if (result.MissingTruths.Count > 0)
        {
            console.MarkupLineInterpolated($"[yellow]missing truths ({result.MissingTruths.Count}):[/] {string.Join(", ", result.MissingTruths)}");
        }
    }
}
