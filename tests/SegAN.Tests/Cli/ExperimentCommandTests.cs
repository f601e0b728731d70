using System.Globalization;
using System.Text.Json;
using SegAN.Cli;
using SegAN.Data;
using SegAN.Experiments;
using SegAN.Models;
using SegAN.Training;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class ExperimentCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-experiment-");

    public void Dispose() => _root.Delete(recursive: true);

    private static TestConsole Console()
    {
        var console = new TestConsole();
        console.Profile.Width = 300;
        return console;
    }

    internal static string[] Tiny(string data, string output, string variants = "unet,s3-3c", int steps = 3) =>
        ["experiment", "--data", data, "--out", output, "--variants", variants, "--seeds", "1",
         "--steps", steps.ToString(CultureInfo.InvariantCulture), "--batch", "2", "--lr", "1e-3", "--optimizer", "adam",
         "--depth", "2", "--width", "4", "--slice-size", "32", "--crop", "40x40x32", "--val-every", "3", "--device", "cpu"];

    [Fact]
    public void Experiment_Help_StatesEveryOptionsDefault()
    {
        // Given the experiment command as --help shows it
        var experiment = SeganApp.Build(Console()).Subcommands.Single(c => c.Name == "experiment");

        // Then it has the options, each with its default (or "Required") in the help
        var names = experiment.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var option in new[] { "--data", "--out", "--variants", "--seeds", "--steps", "--batch", "--lr", "--optimizer", "--depth", "--width", "--slice-size", "--crop", "--test-fraction", "--device", "--threads", "--modality", "--preset" })
        {
            Assert.Contains(option, names);
        }

        Assert.All(
            experiment.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name != "--help"),
            o => Assert.True(o.Description!.Contains("Default", StringComparison.Ordinal) || o.Description.Contains("Required", StringComparison.Ordinal), o.Name));
    }

    [Fact]
    public void Experiment_OnPhantoms_WritesTheReport_AndASecondRunRetrainsNothing()
    {
        // Given five phantom cases (one held out for testing, four to train and validate on)
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 5, new PhantomOptions(48, 4));
        var output = Path.Combine(_root.FullName, "exp");

        // When two variants are compared with one seed
        var console = Console();
        var code = SeganApp.Run(Tiny(data, output), console);

        // Then it exits 0 and writes the report, the results, the chart and one finished run folder per variant
        Assert.True(code == ExitCodes.Ok, console.Output);
        var markdown = File.ReadAllText(Path.Combine(output, ExperimentReport.MarkdownFileName));
        Assert.Contains("segan experiment --data", markdown, StringComparison.Ordinal);
        Assert.Contains("TorchSharp", markdown, StringComparison.Ordinal);
        Assert.Contains("0.848", markdown, StringComparison.Ordinal); // the paper's S3-3C WT Dice beside ours
        Assert.True(new FileInfo(Path.Combine(output, ExperimentReport.ChartFileName)).Length > 1000);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ExperimentReport.JsonFileName)));
        Assert.True(results.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(["unet", "s3-3c"], results.RootElement.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("variant").GetString()));
        var dice = results.RootElement.GetProperty("variants")[1].GetProperty("regions").GetProperty("WT").GetProperty("dice").GetProperty("mean").GetDouble();
        Assert.InRange(dice, 0, 1);

        // And the held-out case is in the split file, apart from the training pool
        using var split = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ExperimentRunner.SplitFileName)));
        var test = split.RootElement.GetProperty("test").EnumerateArray().Select(e => e.GetString()).ToList();
        var train = split.RootElement.GetProperty("train").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Single(test);
        Assert.Equal(4, train.Count);
        Assert.DoesNotContain(test[0], train);

        // When the same command runs again
        var checkpoint = Path.Combine(ExperimentRunner.RunFolder(output, Variant.S3_3C, 0), "train", Checkpoint.FileName);
        var written = File.GetLastWriteTimeUtc(checkpoint);
        var again = Console();
        var secondCode = SeganApp.Run(Tiny(data, output), again);

        // Then both runs are reused, not retrained
        Assert.True(secondCode == ExitCodes.Ok, again.Output);
        Assert.Equal(2, again.Output.Split("finished earlier").Length - 1);
        Assert.DoesNotContain("training 3 steps", again.Output, StringComparison.Ordinal);
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));
    }

    [Fact]
    public void Experiment_AsArrayTasks_ThenReport_MergesTheRuns_UnderTheSharedCommand()
    {
        // Given five phantom cases and an experiment of two runs
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 5, new PhantomOptions(48, 4));
        var output = Path.Combine(_root.FullName, "exp");

        // When task 0 runs, the report is merged early, then task 1 runs and the report is merged again
        var task0 = Console();
        Assert.Equal(ExitCodes.Ok, SeganApp.Run([.. Tiny(data, output), "--task", "0"], task0));
        var early = Console();
        var earlyCode = SeganApp.Run([.. Tiny(data, output), "--report"], early);
        var task1 = Console();
        Assert.Equal(ExitCodes.Ok, SeganApp.Run([.. Tiny(data, output), "--task", "1"], task1));
        var final = Console();
        var finalCode = SeganApp.Run([.. Tiny(data, output), "--report"], final);

        // Then each task trained its own run, named in its log
        Assert.Contains("task 0/2: unet/seed-0", task0.Output, StringComparison.Ordinal);
        Assert.Contains("task 1/2: s3-3c/seed-0", task1.Output, StringComparison.Ordinal);

        // And the early merge exits 1 (incomplete), the final one 0 with both runs in the report
        Assert.True(earlyCode == ExitCodes.Failed, early.Output);
        Assert.True(finalCode == ExitCodes.Ok, final.Output);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ExperimentReport.JsonFileName)));
        Assert.True(results.RootElement.GetProperty("complete").GetBoolean());
        Assert.True(results.RootElement.GetProperty("merged").GetBoolean());

        // And the command in the report is the experiment's, without --task or --report
        var command = results.RootElement.GetProperty("command").GetString()!;
        Assert.StartsWith("segan experiment --data", command, StringComparison.Ordinal);
        Assert.DoesNotContain("--task", command, StringComparison.Ordinal);
        Assert.DoesNotContain("--report", command, StringComparison.Ordinal);
    }

    [Fact]
    public void Experiment_TaskBeyondThePlan_AndReportWithTask_AreUsageErrors()
    {
        // Given a dataset with enough cases
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 3, new PhantomOptions(32, 1));
        var output = Path.Combine(_root.FullName, "exp");

        // When --task names a run the two-run plan does not have, or --report comes with --task
        var beyond = Console();
        var beyondCode = SeganApp.Run([.. Tiny(data, output), "--task", "2"], beyond);
        var both = Console();
        var bothCode = SeganApp.Run([.. Tiny(data, output), "--task", "0", "--report"], both);

        // Then both exit 2 with a message naming the option, and nothing was trained
        Assert.Equal(ExitCodes.Usage, beyondCode);
        Assert.Contains("--task: task 2: expected 0 to 1", beyond.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, bothCode);
        Assert.Contains("without --task", both.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(output, "runs")));
    }

    [Fact]
    public void Experiment_ContinuedWithAnotherBudget_IsRefused()
    {
        // Given an experiment folder started with 3 steps (settings written before any training)
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 3, new PhantomOptions(32, 1));
        var output = Path.Combine(_root.FullName, "exp");
        Directory.CreateDirectory(output);
        var options = new ExperimentOptions(new DirectoryInfo(data), output, DatasetPresets.Layout(DatasetPreset.Brats2021), Steps: 3);
        new SettingsFile(options.Fingerprint()).WriteNew(Path.Combine(output, ExperimentRunner.SettingsFileName));

        // When it is continued with --steps 4
        var console = Console();
        var code = SeganApp.Run(Tiny(data, output, steps: 4), console);

        // Then it exits 2 naming the settings file
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(ExperimentRunner.SettingsFileName, console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Experiment_UnknownVariant_IsAUsageError()
    {
        // Given a dataset folder
        var data = Path.Combine(_root.FullName, "data");
        Directory.CreateDirectory(data);

        // When --variants names an unknown variant
        var console = Console();
        var code = SeganApp.Run(["experiment", "--data", data, "--out", Path.Combine(_root.FullName, "exp"), "--variants", "unet,s9", "--preset", "brats2021"], console);

        // Then it exits 2 and lists the valid names
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("s3-3c-s0", console.Output, StringComparison.Ordinal);
    }
}
