using System.Globalization;
using System.Text;
using System.Text.Json;
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
    public const string JsonFileName = "results.json";

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
        WriteJsonObject(paths.Json, json => WriteJson(json, options, split, runs, summaries, distinct, elapsed, merged));
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

    /// <summary>Writes one JSON object atomically.</summary>
    private static void WriteJsonObject(string path, Action<Utf8JsonWriter> body) => AtomicFile.Write(path, stream =>
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        body(json);
        json.WriteEndObject();
    });

    private static void WriteJson(
        Utf8JsonWriter json,
        ExperimentOptions options,
        ExperimentSplit split,
        IReadOnlyList<ExperimentRun> runs,
        IReadOnlyList<VariantSummary> summaries,
        IReadOnlyList<SystemInfo> systems,
        TimeSpan elapsed,
        bool merged)
    {
        json.WriteString("command", options.CommandLine);
        json.WriteBoolean("merged", merged);
        json.WriteStartArray("systems");
        foreach (var system in systems)
        {
            WriteSystem(json, system);
        }

        json.WriteEndArray();
        json.WriteString("settings", options.Fingerprint());
        json.WriteNumber("seeds", options.Seeds);
        json.WriteNumber("elapsed_seconds", elapsed.TotalSeconds);
        json.WriteBoolean("complete", runs.All(r => r.IsFinished));
        json.WriteStartObject("split");
        json.WriteStartArray("train");
        split.Train.ToList().ForEach(c => json.WriteStringValue(c.Name));
        json.WriteEndArray();
        json.WriteStartArray("test");
        split.Test.ToList().ForEach(c => json.WriteStringValue(c.Name));
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("variants");
        foreach (var s in summaries)
        {
            json.WriteStartObject();
            json.WriteString("variant", s.Variant.CliName());
            json.WriteNumber("finished_seeds", s.FinishedSeeds);
            Number(json, "mean_train_seconds", s.MeanTrainSeconds);
            Number(json, "mean_dice", s.MeanDice);
            json.WriteStartObject("regions");
            foreach (var r in s.Regions)
            {
                json.WriteStartObject(r.Region.ShortName());
                var stats = new List<(string, SeedStatistic)> { ("dice", r.Dice), ("precision", r.Precision), ("sensitivity", r.Sensitivity) };
                if (r.LesionDice is { } lesionDice && r.LesionHd95 is { } lesionHd95)
                {
                    stats.Add(("lesion_dice", lesionDice));
                    stats.Add(("lesion_hd95", lesionHd95));
                }

                foreach (var (name, stat) in stats)
                {
                    json.WriteStartObject(name);
                    Number(json, "mean", stat.Mean);
                    Number(json, "std", stat.Std);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            var paper = PaperResults.For(s.Variant);
            json.WriteStartObject("paper_dice");
            json.WriteNumber("WT", paper.Wt);
            json.WriteNumber("TC", paper.Tc);
            json.WriteNumber("ET", paper.Et);
            json.WriteString("source", paper.Source);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        var baseline = PairedComparison.BaselineOf(options.VariantsOrDefault);
        json.WriteStartObject("paired");
        json.WriteString("baseline", baseline.CliName());
        json.WriteStartArray("variants");
        foreach (var d in PairedComparison.Against(baseline, options.VariantsOrDefault, runs))
        {
            json.WriteStartObject();
            json.WriteString("variant", d.Variant.CliName());
            json.WriteNumber("pairs", d.Seeds);
            foreach (var (name, stat) in LabelNames.Regions.Select((r, k) => (r.ShortName(), d.Regions[k])).Append(("mean", d.Mean)))
            {
                json.WriteStartObject(name);
                Number(json, "dice_difference_mean", stat.Mean);
                Number(json, "dice_difference_std", stat.Std);
                json.WriteEndObject();
            }

            Number(json, "t", d.T);
            Number(json, "p", d.P);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("runs");
        foreach (var r in runs)
        {
            json.WriteStartObject();
            json.WriteString("variant", r.Variant.CliName());
            json.WriteNumber("seed", r.Seed);
            json.WriteString("state", r.State.ToString().ToLowerInvariant());
            json.WriteString("folder", r.Folder);
            Number(json, "train_seconds", r.TrainSeconds);
            if (r.Message is not null)
            {
                json.WriteString("message", r.Message);
            }

            if (r.Scores is { } scores)
            {
                json.WriteStartObject("test");
                foreach (var s in scores)
                {
                    json.WriteStartObject(s.Region.ShortName());
                    Number(json, "dice", s.Dice);
                    Number(json, "precision", s.Precision);
                    Number(json, "sensitivity", s.Sensitivity);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteSystem(Utf8JsonWriter json, SystemInfo system)
    {
        json.WriteStartObject();
        json.WriteString("segan", system.SegANVersion);
        json.WriteString("torchsharp", system.TorchSharpVersion);
        json.WriteString("libtorch", system.LibTorchVersion);
        json.WriteString("runtime", system.Runtime);
        json.WriteString("os", system.Os);
        json.WriteString("cpu", system.CpuModel);
        json.WriteNumber("logical_cores", system.LogicalCores);
        json.WriteNumber("torch_threads", system.TorchThreads);
        json.WriteString("device", system.Device);
        json.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
