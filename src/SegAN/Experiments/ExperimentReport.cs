using System.Globalization;
using System.Text;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Models;
using SegAN.Reporting;

namespace SegAN.Experiments;

/// <summary>The report files of an experiment.</summary>
public sealed record ExperimentReportPaths(string Markdown, string Json, string Chart);

/// <summary>
/// Writes an experiment's report: <c>report.md</c> (per region, Dice, precision and sensitivity as mean ± sample
/// standard deviation over seeds, with the paper's Dice beside), <c>results.json</c> (the same plus every run) and
/// <c>dice_by_region.png</c> (the paper's Fig. 2 layout). Each file is written atomically.
/// </summary>
public static class ExperimentReport
{
    /// <summary>The Markdown report's file name.</summary>
    public const string MarkdownFileName = "report.md";

    /// <summary>The JSON results' file name.</summary>
    public const string JsonFileName = ExperimentResultsFile.FileName;

    /// <summary>The bar chart's file name.</summary>
    public const string ChartFileName = "dice_by_region.png";

    /// <summary>Writes the three files into <paramref name="root"/> for an invocation that ran the whole experiment on <paramref name="system"/>.</summary>
    public static ExperimentReportPaths Write(
        string root,
        ExperimentOptions options,
        ExperimentSplit split,
        IReadOnlyList<ExperimentRun> runs,
        IReadOnlyList<VariantSummary> summaries,
        SystemInfo system,
        TimeSpan elapsed) => Write(root, options, split, runs, summaries, [system], elapsed, merged: false);

    /// <summary>
    /// Writes the three files into <paramref name="root"/>; <paramref name="systems"/> are those the runs recorded and
    /// <paramref name="merged"/> says the report merges runs of separate processes (<c>--report</c>).
    /// </summary>
    public static ExperimentReportPaths Write(
        string root,
        ExperimentOptions options,
        ExperimentSplit split,
        IReadOnlyList<ExperimentRun> runs,
        IReadOnlyList<VariantSummary> summaries,
        IReadOnlyList<SystemInfo> systems,
        TimeSpan elapsed,
        bool merged = true)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var paths = new ExperimentReportPaths(
            Path.Combine(root, MarkdownFileName), Path.Combine(root, JsonFileName), Path.Combine(root, ChartFileName));
        var chart = BarChart.Render(
            "Test Dice by region (mean ± std over seeds)",
            [.. LabelNames.Regions.Select(r => r.ShortName())],
            [.. summaries.Select(s => new BarSeries(
                s.Variant.CliName(),
                [.. s.Regions.Select(r => double.IsFinite(r.Dice.Mean) ? r.Dice.Mean : 0)],
                [.. s.Regions.Select(r => double.IsFinite(r.Dice.Std) ? r.Dice.Std : 0)]))],
            "Dice",
            (0, 1));
        var png = PngWriter.Encode(chart);
        AtomicFile.Write(paths.Chart, stream => stream.Write(png));
        var distinct = Distinct(systems);
        var markdown = ToMarkdown(options, split, runs, summaries, distinct, elapsed, merged);
        AtomicFile.Write(paths.Markdown, stream => stream.Write(Encoding.UTF8.GetBytes(markdown)));
        ExperimentResultsFile.From(new ExperimentFacts(options, split, runs, summaries, distinct, elapsed, merged)).Write(paths.Json);
        return paths;
    }

    /// <summary>The systems that differ in what the report prints (versions, CPU, threads, device), in first-seen order.</summary>
    public static IReadOnlyList<SystemInfo> Distinct(IReadOnlyList<SystemInfo> systems)
    {
        ArgumentNullException.ThrowIfNull(systems);
        return [.. systems.DistinctBy(VersionsText)];
    }

    /// <summary>One system as the report prints it.</summary>
    public static string VersionsText(SystemInfo system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"SegAN.NET {system.SegANVersion}, TorchSharp {system.TorchSharpVersion}, libtorch {system.LibTorchVersion}, {system.Runtime}, {system.Os}; CPU {system.CpuModel} ({system.LogicalCores} logical cores, {system.TorchThreads} torch threads); device {system.Device}");
    }

    /// <summary>The Markdown report.</summary>
    public static string ToMarkdown(
        ExperimentOptions options,
        ExperimentSplit split,
        IReadOnlyList<ExperimentRun> runs,
        IReadOnlyList<VariantSummary> summaries,
        IReadOnlyList<SystemInfo> systems,
        TimeSpan elapsed,
        bool merged)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(summaries);
        ArgumentNullException.ThrowIfNull(systems);
        var md = new StringBuilder();
        void Line(FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Line($"# SegAN experiment: variants compared on held-out test cases");
        Line($"");
        var finished = runs.Count(r => r.IsFinished);
        var incomplete = merged
            ? " (incomplete: let the remaining tasks finish, or run them again, then merge again with --report)"
            : " (incomplete: run the same command again to continue)";
        Line($"Runs finished: {finished} of {runs.Count}{(finished < runs.Count ? incomplete : "")}.");
        Line($"");
        Line($"Command: `{options.CommandLine ?? "(library call)"}`{(merged ? "; this report was merged from the run folders by `--report` (the runs may come from separate processes, such as array tasks)" : "")}");
        Line($"");
        switch (systems.Count)
        {
            case 0:
                Line($"Versions: not recorded by the finished runs.");
                break;
            case 1:
                Line($"Versions: {VersionsText(systems[0])}.");
                break;
            default:
                Line($"Versions: the finished runs were evaluated on {systems.Count} different systems (each run's is in its {ExperimentRunner.SystemFileName}):");
                foreach (var system in systems)
                {
                    Line($"- {VersionsText(system)}");
                }

                break;
        }

        Line($"");
        var p = options.PreprocessOrDefault;
        Line($"Budget per run: {options.Steps} steps, batch {options.BatchSize}, {options.Optimizer} lr {options.LearningRate:G4}, depth {options.Depth}, width {options.BaseWidth}, slices {options.SliceSize}x{options.SliceSize} from a {p.CropX}x{p.CropY}x{p.CropZ} grid, dice weight {options.DiceWeight:G4}, validation every {options.ValEvery} steps (the best model by validation Dice is tested).");
        Line($"");
        Line($"Data: {options.Data.FullName}, {split.Train.Count + split.Test.Count} cases; {split.Test.Count} held out for testing (seed {options.SplitSeed}, fraction {options.TestFraction:G4}): {string.Join(", ", split.Test.Select(c => c.Name))}. Each run splits the other {split.Train.Count} into training and validation ({options.ValidationFraction:G4}) with its own seed. Seeds: 0..{options.Seeds - 1}. {(merged ? $"Training time of the finished runs, summed: {TimeSpan.FromSeconds(runs.Where(r => r.IsFinished && double.IsFinite(r.TrainSeconds)).Sum(r => r.TrainSeconds)).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)}." : $"Elapsed this invocation: {elapsed.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)}.")}");
        Line($"");
        Line($"Values are test-set means per run, then mean ± sample standard deviation over seeds (n/a with one seed). The paper's Dice is printed beside for reference only: it is BRATS 2015 (Fig. 2: validation; Table 1: test), not this dataset.");
        Line($"");
        Line($"![Dice by region]({ChartFileName})");
        foreach (var (region, k) in LabelNames.Regions.Select((r, k) => (r, k)))
        {
            Line($"");
            Line($"## {region.ShortName()}");
            Line($"");
            var lesions = summaries.Any(s => s.Regions[k].LesionDice is not null);
            Line($"| variant | seeds | Dice | precision | sensitivity | paper Dice | paper source |{(lesions ? " lesion-wise Dice | lesion-wise HD95 (mm) |" : "")}");
            Line($"|---|---|---|---|---|---|---|{(lesions ? "---|---|" : "")}");
            foreach (var s in summaries)
            {
                var r = s.Regions[k];
                var paper = PaperResults.For(s.Variant);
                var paperDice = k switch { 0 => paper.Wt, 1 => paper.Tc, _ => paper.Et };
                var lesionText = lesions ? $" {r.LesionDice?.ToText() ?? "-"} | {r.LesionHd95?.ToText() ?? "-"} |" : "";
                Line($"| {s.Variant.CliName()} | {s.FinishedSeeds} | {r.Dice.ToText()} | {r.Precision.ToText()} | {r.Sensitivity.ToText()} | {paperDice:F3} | {paper.Source} |{lesionText}");
            }
        }

        Line($"");
        Line($"Paper Table 1 (BRATS 2015 test Dice WT/TC/ET): SegAN {PaperResults.SegANTest.Wt:F2}/{PaperResults.SegANTest.Tc:F2}/{PaperResults.SegANTest.Et:F2}, U-net {PaperResults.For(Variant.UNet).Wt:F2}/{PaperResults.For(Variant.UNet).Tc:F2}/{PaperResults.For(Variant.UNet).Et:F2}.");
        var baseline = PairedComparison.BaselineOf(options.VariantsOrDefault);
        var paired = PairedComparison.Against(baseline, options.VariantsOrDefault, runs);
        if (paired.Count > 0)
        {
            Line($"");
            Line($"## Paired by seed, against {baseline.CliName()}");
            Line($"");
            Line($"Runs of one seed share the train/validation split and the seed of weights and batches, so each variant is compared with {baseline.CliName()} seed by seed: the mean ± standard deviation over seeds of the difference of test Dice (variant minus {baseline.CliName()}), and a paired t-test on the mean Dice over regions (two-sided p, seeds - 1 degrees of freedom). With few seeds only large or very consistent differences reach p < 0.05; the p-values are not corrected for the number of variants compared.");
            Line($"");
            Line($"| variant | pairs | Δ Dice WT | Δ Dice TC | Δ Dice ET | Δ mean Dice | t | p |");
            Line($"|---|---|---|---|---|---|---|---|");
            foreach (var d in paired)
            {
                Line($"| {d.Variant.CliName()} | {d.Seeds} | {d.Regions[0].ToText(withSign: true)} | {d.Regions[1].ToText(withSign: true)} | {d.Regions[2].ToText(withSign: true)} | {d.Mean.ToText(withSign: true)} | {(double.IsFinite(d.T) ? d.T.ToString("+0.00;-0.00", CultureInfo.InvariantCulture) : "-")} | {(double.IsFinite(d.P) ? d.P.ToString("0.000", CultureInfo.InvariantCulture) : "-")} |");
            }
        }

        Line($"");
        Line($"## Runs");
        Line($"");
        Line($"| variant | seed | state | train time | Dice WT | Dice TC | Dice ET | folder |");
        Line($"|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            var dice = r.Scores is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s[0].Dice:F3} | {s[1].Dice:F3} | {s[2].Dice:F3}") : "- | - | -";
            var time = double.IsFinite(r.TrainSeconds) ? string.Create(CultureInfo.InvariantCulture, $"{r.TrainSeconds:F1} s") : "-";
            Line($"| {r.Variant.CliName()} | {r.Seed} | {(merged && r.State == RunState.Reused ? "finished" : r.State.ToString().ToLowerInvariant())}{(r.Message is null ? "" : ": " + r.Message)} | {time} | {dice} | {Path.GetRelativePath(Path.GetFullPath(options.Out), r.Folder)} |");
        }

        return md.ToString();
    }
}
