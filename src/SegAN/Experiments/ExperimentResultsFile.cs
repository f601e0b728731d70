using System.Text.Json.Serialization;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Models;

namespace SegAN.Experiments;

/// <summary>
/// <c>results.json</c> at an experiment's root: the command, the systems, the settings and split, each variant's
/// statistics over seeds with the paper's Dice beside, the paired comparison against the baseline, and every run.
/// A statistic without a value (no finished seed, one seed's deviation) is <c>null</c> (JSON has no NaN).
/// </summary>
internal sealed record ExperimentResultsFile(
    [property: JsonPropertyName("command")] string? Command,
    [property: JsonPropertyName("merged")] bool Merged,
    [property: JsonPropertyName("systems"), JsonRequired] IReadOnlyList<ResultsSystem> Systems,
    [property: JsonPropertyName("settings"), JsonRequired] string Settings,
    [property: JsonPropertyName("seeds")] int Seeds,
    [property: JsonPropertyName("elapsed_seconds")] double ElapsedSeconds,
    [property: JsonPropertyName("complete")] bool Complete,
    [property: JsonPropertyName("split"), JsonRequired] ResultsSplit Split,
    [property: JsonPropertyName("variants"), JsonRequired] IReadOnlyList<ResultsVariant> Variants,
    [property: JsonPropertyName("paired"), JsonRequired] ResultsPaired Paired,
    [property: JsonPropertyName("runs"), JsonRequired] IReadOnlyList<ResultsRun> Runs)
{
    public const string FileName = "results.json";

    /// <summary>The results of an experiment, as <see cref="ExperimentReport"/> reports them (it checks the arguments).</summary>
    public static ExperimentResultsFile From(ExperimentFacts facts)
    {
        var (options, split, runs, summaries, systems, elapsed, merged) = facts;
        var baseline = PairedComparison.BaselineOf(options.VariantsOrDefault);
        return new ExperimentResultsFile(
            options.CommandLine,
            merged,
            [.. systems.Select(ResultsSystem.From)],
            options.Fingerprint(),
            options.Seeds,
            elapsed.TotalSeconds,
            runs.All(r => r.IsFinished),
            new ResultsSplit([.. split.Train.Select(c => c.Name)], [.. split.Test.Select(c => c.Name)]),
            [.. summaries.Select(ResultsVariant.From)],
            new ResultsPaired(baseline.CliName(), [.. PairedComparison.Against(baseline, options.VariantsOrDefault, runs).Select(ResultsPairedVariant.From)]),
            [.. runs.Select(ResultsRun.From)]);
    }

    /// <summary>Reads the results; a file that is not one is an error naming it.</summary>
    public static ExperimentResultsFile Read(string path) => ExperimentJson.Read<ExperimentResultsFile>(path, "unreadable experiment results");

    /// <summary>Writes the file atomically (indented, no final newline, as it has always been written).</summary>
    public void Write(string path) => ExperimentJson.Write(path, this);

    /// <summary>A number as the file holds it: null when not finite.</summary>
    public static double? Number(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>
/// What an experiment's report is made of, as <see cref="ExperimentReport.ToMarkdown"/> takes it: the options and
/// split, the runs and their summaries, the distinct systems the runs recorded, the time taken, and whether the report
/// merges runs of separate processes.
/// </summary>
internal sealed record ExperimentFacts(
    ExperimentOptions Options, ExperimentSplit Split, IReadOnlyList<ExperimentRun> Runs, IReadOnlyList<VariantSummary> Summaries, IReadOnlyList<SystemInfo> Systems, TimeSpan Elapsed, bool Merged);

/// <summary>A system in <c>results.json</c>: the versions, CPU, threads and device a run was evaluated on.</summary>
internal sealed record ResultsSystem(
    [property: JsonPropertyName("segan")] string SegAN,
    [property: JsonPropertyName("torchsharp")] string TorchSharp,
    [property: JsonPropertyName("libtorch")] string LibTorch,
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("cpu")] string Cpu,
    [property: JsonPropertyName("logical_cores")] int LogicalCores,
    [property: JsonPropertyName("torch_threads")] int TorchThreads,
    [property: JsonPropertyName("device")] string Device)
{
    public static ResultsSystem From(SystemInfo s) =>
        new(s.SegANVersion, s.TorchSharpVersion, s.LibTorchVersion, s.Runtime, s.Os, s.CpuModel, s.LogicalCores, s.TorchThreads, s.Device);
}

/// <summary>The split in <c>results.json</c>: the cases the runs may train on and the held-out test cases.</summary>
internal sealed record ResultsSplit(
    [property: JsonPropertyName("train")] IReadOnlyList<string> Train,
    [property: JsonPropertyName("test")] IReadOnlyList<string> Test);

/// <summary>Mean and standard deviation over seeds.</summary>
internal sealed record ResultsStatistic(
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("std")] double? Std)
{
    public static ResultsStatistic From(SeedStatistic s) => new(ExperimentResultsFile.Number(s.Mean), ExperimentResultsFile.Number(s.Std));
}

/// <summary>One region of a variant over seeds; the lesion-wise pair only when every run has it.</summary>
internal sealed record ResultsRegion(
    [property: JsonPropertyName("dice")] ResultsStatistic Dice,
    [property: JsonPropertyName("precision")] ResultsStatistic Precision,
    [property: JsonPropertyName("sensitivity")] ResultsStatistic Sensitivity,
    [property: JsonPropertyName("lesion_dice"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ResultsStatistic? LesionDice = null,
    [property: JsonPropertyName("lesion_hd95"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ResultsStatistic? LesionHd95 = null)
{
    public static ResultsRegion From(RegionAggregate r)
    {
        var lesions = r.LesionDice is not null && r.LesionHd95 is not null;
        return new(
            ResultsStatistic.From(r.Dice),
            ResultsStatistic.From(r.Precision),
            ResultsStatistic.From(r.Sensitivity),
            lesions ? ResultsStatistic.From(r.LesionDice!) : null,
            lesions ? ResultsStatistic.From(r.LesionHd95!) : null);
    }
}

/// <summary>The paper's Dice of a variant, with its source.</summary>
internal sealed record ResultsPaperDice(
    [property: JsonPropertyName("WT")] double Wt,
    [property: JsonPropertyName("TC")] double Tc,
    [property: JsonPropertyName("ET")] double Et,
    [property: JsonPropertyName("source")] string Source);

/// <summary>One variant in <c>results.json</c>: its finished seeds, mean training time, mean Dice and regions.</summary>
internal sealed record ResultsVariant(
    [property: JsonPropertyName("variant")] string Variant,
    [property: JsonPropertyName("finished_seeds")] int FinishedSeeds,
    [property: JsonPropertyName("mean_train_seconds")] double? MeanTrainSeconds,
    [property: JsonPropertyName("mean_dice")] double? MeanDice,
    [property: JsonPropertyName("regions")] IReadOnlyDictionary<string, ResultsRegion> Regions,
    [property: JsonPropertyName("paper_dice")] ResultsPaperDice PaperDice)
{
    public static ResultsVariant From(VariantSummary s)
    {
        var paper = PaperResults.For(s.Variant);
        return new(
            s.Variant.CliName(),
            s.FinishedSeeds,
            ExperimentResultsFile.Number(s.MeanTrainSeconds),
            ExperimentResultsFile.Number(s.MeanDice),
            s.Regions.ToDictionary(r => r.Region.ShortName(), ResultsRegion.From),
            new ResultsPaperDice(paper.Wt, paper.Tc, paper.Et, paper.Source));
    }
}

/// <summary>A mean Dice difference against the baseline over paired seeds, and its deviation.</summary>
internal sealed record ResultsDifference(
    [property: JsonPropertyName("dice_difference_mean")] double? Mean,
    [property: JsonPropertyName("dice_difference_std")] double? Std)
{
    public static ResultsDifference From(SeedStatistic s) => new(ExperimentResultsFile.Number(s.Mean), ExperimentResultsFile.Number(s.Std));
}

/// <summary>The paired comparison: the baseline and each other variant against it.</summary>
internal sealed record ResultsPaired(
    [property: JsonPropertyName("baseline")] string Baseline,
    [property: JsonPropertyName("variants")] IReadOnlyList<ResultsPairedVariant> Variants);

/// <summary>One variant against the baseline: the pairs, the differences per region and on the mean, t and p.</summary>
internal sealed record ResultsPairedVariant(
    [property: JsonPropertyName("variant")] string Variant,
    [property: JsonPropertyName("pairs")] int Pairs,
    [property: JsonPropertyName("WT")] ResultsDifference Wt,
    [property: JsonPropertyName("TC")] ResultsDifference Tc,
    [property: JsonPropertyName("ET")] ResultsDifference Et,
    [property: JsonPropertyName("mean")] ResultsDifference Mean,
    [property: JsonPropertyName("t")] double? T,
    [property: JsonPropertyName("p")] double? P)
{
    public static ResultsPairedVariant From(PairedDifference d)
    {
        // d.Regions is in LabelNames.Regions order: WT, TC, ET.
        return new(
            d.Variant.CliName(),
            d.Seeds,
            ResultsDifference.From(d.Regions[0]),
            ResultsDifference.From(d.Regions[1]),
            ResultsDifference.From(d.Regions[2]),
            ResultsDifference.From(d.Mean),
            ExperimentResultsFile.Number(d.T),
            ExperimentResultsFile.Number(d.P));
    }
}

/// <summary>A run's test-set means in one region.</summary>
internal sealed record ResultsRunScores(
    [property: JsonPropertyName("dice")] double? Dice,
    [property: JsonPropertyName("precision")] double? Precision,
    [property: JsonPropertyName("sensitivity")] double? Sensitivity);

/// <summary>One run in <c>results.json</c>: variant, seed, state, folder, training time, and its message or test scores.</summary>
internal sealed record ResultsRun(
    [property: JsonPropertyName("variant")] string Variant,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("folder")] string Folder,
    [property: JsonPropertyName("train_seconds")] double? TrainSeconds,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonPropertyName("test"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, ResultsRunScores>? Test = null)
{
    public static ResultsRun From(ExperimentRun r) => new(
        r.Variant.CliName(),
        r.Seed,
        r.State.ToString().ToLowerInvariant(),
        r.Folder,
        ExperimentResultsFile.Number(r.TrainSeconds),
        r.Message,
        r.Scores?.ToDictionary(
            s => s.Region.ShortName(),
            s => new ResultsRunScores(ExperimentResultsFile.Number(s.Dice), ExperimentResultsFile.Number(s.Precision), ExperimentResultsFile.Number(s.Sensitivity))));
}
