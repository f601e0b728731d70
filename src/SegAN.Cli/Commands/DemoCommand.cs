using System.CommandLine;
using System.Globalization;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Demo;
using SegAN.Models;
using SegAN.Persistence;
using SegAN.Training;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan demo</c>: synthesise phantoms, train, segment held-out cases, evaluate and report, in one go.</summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var output = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Folder for the demo's data, run, predictions and report. Default: segan-demo.",
            DefaultValueFactory = _ => new DirectoryInfo("segan-demo"),
        };
        var steps = new Option<long>("--steps") { Description = "Training steps. Default: 600.", DefaultValueFactory = _ => 600 };
        var trainCases = new Option<int>("--train-cases") { Description = "Phantoms to train on (10% validate). Default: 12.", DefaultValueFactory = _ => 12 };
        var testCases = new Option<int>("--test-cases") { Description = "Held-out phantoms to segment and evaluate. Default: 4.", DefaultValueFactory = _ => 4 };
        var size = new Option<int>("--size") { Description = "Phantom side in 1 mm voxels, a multiple of 16. Default: 64.", DefaultValueFactory = _ => 64 };
        var variant = ChoiceOption.Create("--variant", "s1-1c, s3-1c, s3-3c, s3-3c-s0, s3-3c-s3 or unet. Default: s3-3c.", Variant.S3_3C, TrainCommand.Variants);
        var seed = new Option<int>("--seed") { Description = "Seed of everything (phantoms, split, weights, batches). Default: 1.", DefaultValueFactory = _ => 1 };
        var difficulty = ChoiceOption.Create("--difficulty", "easy (heads with skull, crisp tumours) or realistic (skull-stripped BraTS-like brains, as hard as real scans; see README). Default: easy.", PhantomDifficulty.Easy, Choices.Difficulties);
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("demo", "The whole workflow on built-in synthetic data: synthesise BraTS-like phantoms, train a small SegAN, segment held-out cases, evaluate them and write an HTML report.")
        {
            output, steps, trainCases, testCases, size, variant, seed, difficulty, device, threads,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var options = new DemoOptions(
                parse.GetValue(output)!.FullName,
                parse.GetValue(trainCases),
                parse.GetValue(testCases),
                parse.GetValue(size),
                parse.GetValue(steps),
                parse.GetValue(variant),
                parse.GetValue(seed),
                parse.GetValue(difficulty)).Validate();
            var spec = DeviceSpec.Parse(parse.GetValue(device)!);
            ComputeContext.Initialize(spec, parse.GetValue(threads));
            return CommandRunner.WithCtrlC(token =>
            {
                long lastLogged = -1;
                var log = new InlineProgress<string>(line => console.MarkupLineInterpolated($"[bold]>[/] {line}"));
                var training = new InlineProgress<TrainProgress>(p =>
                {
                    if (p.Message is { } message)
                    {
                        console.MarkupLineInterpolated($"  [grey]{message}[/]");
                    }
                    else if (p.Step - lastLogged >= 50 || p.Step == p.TotalSteps)
                    {
                        lastLogged = p.Step;
                        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  step {p.Step}/{p.TotalSteps}, loss {p.Losses.Segmentor:F4}, eta {p.Remaining:mm\\:ss}"));
                    }
                });
                var result = DemoRunner.Run(options, spec, log, training, token);
                EvaluationTable.Print(console, result.Evaluation);
                console.MarkupLineInterpolated($"Finished in {result.Elapsed.TotalMinutes:F1} min. Report: [bold]{result.HtmlReport}[/]");
                console.MarkupLineInterpolated($"Model: {Path.Combine(result.RunFolder, ModelFile.FileName)}; predictions: {result.Predictions}");
                return ExitCodes.Ok;
            });
        }));
        return command;
    }
}
