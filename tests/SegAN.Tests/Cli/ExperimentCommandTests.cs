using System.Globalization;
using System.Text.Json;
using SegAN.Cli;
using SegAN.Data;
using SegAN.Experiments;
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
    public void Experiment_ContinuedWithAnotherBudget_IsRefused()
    {
        // Given an experiment folder started with 3 steps (settings written before any training)
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 3, new PhantomOptions(32, 1));
        var output = Path.Combine(_root.FullName, "exp");
        Directory.CreateDirectory(output);
        var options = new ExperimentOptions(new DirectoryInfo(data), output, DatasetPresets.Layout(DatasetPreset.Brats2021), Steps: 3);
        ExperimentRunner.WriteJson(Path.Combine(output, ExperimentRunner.SettingsFileName), json => json.WriteString("settings", options.Fingerprint()));

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
