using System.Text.Json;
using SegAN.Cli;
using SegAN.Cli.Commands;
using SegAN.Models;
using SegAN.Persistence;
using SegAN.Training;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class TrainCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-train-");

    public void Dispose() => _root.Delete(recursive: true);

    private static TestConsole Console()
    {
        var console = new TestConsole();
        console.Profile.Width = 300;
        return console;
    }

    private string Synth()
    {
        var data = Path.Combine(_root.FullName, "data");
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["synth", "--out", data, "--cases", "3", "--size", "40", "--seed", "2"], Console()));
        return data;
    }

    private static string[] Tiny(string data, string run, int steps, string crop = "32") =>
        ["train", "--data", data, "--out", run, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--batch", "2", "--slice-size", crop, "--depth", "2", "--width", "4", "--val-every", "2", "--lr", "1e-3", "--device", "cpu"];

    [Fact]
    public void Train_Help_StatesEveryOptionsDefault()
    {
        // Given the train command as --help shows it
        var train = SeganApp.Build(Console()).Subcommands.Single(c => c.Name == "train");

        // Then it has every option the issue asks for, and each one's help says its default (or that it is required)
        var names = train.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var option in new[] { "--data", "--out", "--variant", "--steps", "--epochs", "--batch", "--slice-size", "--crop", "--lr", "--optimizer", "--lr-schedule", "--clip", "--dice-weight", "--val-every", "--log-every", "--depth", "--width", "--seed", "--resume", "--device", "--threads", "--modality", "--seg", "--labels", "--preset" })
        {
            Assert.Contains(option, names);
        }

        Assert.All(
            train.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name != "--help"),
            o => Assert.True(o.Description!.Contains("Default", StringComparison.Ordinal) || o.Description.Contains("Required", StringComparison.Ordinal), o.Name));
        Assert.Contains("s3-3c-s0", train.Options.Single(o => o.Name == "--variant").Description, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Train_OnPhantoms_WritesTheRunFolder_AndResumes()
    {
        // Given three phantom cases (two train, one validation)
        var data = Synth();
        var run = Path.Combine(_root.FullName, "run");

        // When a 2-step run trains, then resumes to 4 steps
        var console = Console();
        var first = SeganApp.Run(Tiny(data, run, 2), console);
        var resumed = Console();
        var second = SeganApp.Run([.. Tiny(data, run, 4), "--resume"], resumed);

        // Then both exit 0 and the run folder holds the model, the checkpoint at step 4 and a metrics line per validation (log points every 10 steps never come)
        Assert.True(first == ExitCodes.Ok, console.Output);
        Assert.True(second == ExitCodes.Ok, resumed.Output);
        Assert.True(Checkpoint.ReadState(Path.Combine(run, Checkpoint.FileName)).Step == 4, resumed.Output);
        var steps = File.ReadAllLines(Path.Combine(run, Trainer.MetricsFileName)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
        Assert.Equal([2L, 4L], steps);
        var header = ModelFile.ReadHeader(Path.Combine(run, ModelFile.FileName));
        Assert.Equal(["T1c", "T2", "FLAIR"], header.Modalities);

        using var options = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, Trainer.OptionsFileName)));
        Assert.Equal("S3_3C", options.RootElement.GetProperty("variant").GetString());
        Assert.Contains("val", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_InAnInteractiveTerminal_ShowsAProgressBar()
    {
        var data = Synth();
        var console = Console().Interactive();

        var code = SeganApp.Run(Tiny(data, Path.Combine(_root.FullName, "live"), 2), console);

        Assert.True(code == ExitCodes.Ok, console.Output);
        Assert.Contains("step 2/2", console.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--variant", "s2", "s3-3c-s0")]
    [InlineData("--optimizer", "sgd", "rmsprop")]
    [InlineData("--clip", "0", "--clip")]
    public void Train_RejectsBadOptions_WithExit2(string option, string value, string expected)
    {
        // Given a bad value of one option (checked before any data is read)
        var console = Console();
        string[] args = [.. Tiny(Path.Combine(_root.FullName, "missing"), Path.Combine(_root.FullName, "bad"), 1), option, value];

        var code = SeganApp.Run(args, console);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, console.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--variant", "s2", "s1-1c, s3-1c, s3-3c, s3-3c-s0, s3-3c-s3, unet")]
    [InlineData("--optimizer", "sgd", "adam, rmsprop")]
    [InlineData("--dice-mode", "mean", "pooled, per-region")]
    public void Train_AnUnknownChoice_IsRefusedBeforeAnythingRuns_ListingTheAllowedNames(string option, string value, string allowed)
    {
        // Given a typed option with a name it does not know
        var console = Console();

        // When train parses it
        var code = SeganApp.Run(["train", "--data", _root.FullName, "--out", Path.Combine(_root.FullName, "never"), option, value], console);

        // Then the parser refuses it naming the option, the value and the allowed names, and no run folder appears
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"{option} '{value}' is not one of {allowed}.", console.Output.ReplaceLineEndings(string.Empty), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root.FullName, "never")));
    }

    [Theory]
    [InlineData(TrainStatus.Cancelled, "--resume", "--out")]
    [InlineData(TrainStatus.Diverged, "--lr", "--clip")]
    public void Train_ResultLine_AddsTheOptionsToType(TrainStatus status, string first, string second)
    {
        // Given a run that stopped early, whose library message speaks of concepts, not flags
        var result = new TrainResult(status, 5, 10, 0, 0, "run", "stopped at step 5.");

        // When the command words its result line
        var line = TrainingSession.ResultLine(result);

        // Then it keeps the library's message and names the options that continue or fix the run
        Assert.StartsWith("stopped at step 5.", line, StringComparison.Ordinal);
        Assert.Contains(first, line, StringComparison.Ordinal);
        Assert.Contains(second, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_ResultLine_OfACompletedRun_IsTheLibrarysMessage() =>
        Assert.Equal("done", TrainingSession.ResultLine(new TrainResult(TrainStatus.Completed, 10, 10, 0.5, 10, "run", "done")));

    [Fact]
    public void Train_ChoiceNames_AreCaseInsensitive()
    {
        var train = SeganApp.Build(Console()).Subcommands.Single(c => c.Name == "train");

        var parse = train.Parse(["--data", _root.FullName, "--out", "x", "--variant", "S3-3C-S0", "--optimizer", "RMSProp"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(Variant.S3_3C_S0, parse.GetValue<Variant>("--variant"));
        Assert.Equal(OptimizerKind.RmsProp, parse.GetValue<OptimizerKind>("--optimizer"));
    }

    [Fact]
    public void Train_RejectsACropTheNetworksCannotTake()
    {
        var console = Console();

        var code = SeganApp.Run(Tiny(Synth(), Path.Combine(_root.FullName, "bad"), 1, crop: "30"), console);

        Assert.Equal(ExitCodes.Usage, code);
        // The critic's three stride-2 blocks need multiples of 8 even with a depth-2 segmentor (the architecture's
        // rule, 2^max(depth, critic depth); the old check said 4)
        Assert.Contains("multiples of 8", console.Output, StringComparison.Ordinal);
    }
}
