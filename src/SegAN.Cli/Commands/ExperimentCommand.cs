using System.CommandLine;
using System.Globalization;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Experiments;
using SegAN.Models;
using SegAN.Training;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan experiment</c>: the paper's comparison of variants on held-out test cases, resumable.</summary>
internal static class ExperimentCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Dataset folder (as for segan train). Required.", Required = true };
        var output = CommonOptions.Required<DirectoryInfo>("--out", "Experiment folder: split.json, runs/VARIANT/seed-N/{train,predictions,evaluation}, report.md, results.json, dice_by_region.png. Run the same command again to continue an interrupted experiment. Required.", "-o");
        var variants = CommonOptions.Defaulted<string>("--variants", string.Join(",", ExperimentOptions.DefaultVariants.Select(v => v.CliName())), "Comma-separated variants to compare: unet, s1-1c, s3-1c, s3-3c, s3-3c-s0, s3-3c-s3. Default: all six.");
        var seeds = new Option<int>("--seeds") { Description = "Runs per variant, seeds 0..N-1. Default: 3.", DefaultValueFactory = _ => 3 };
        var steps = new Option<long>("--steps") { Description = "Training steps of every run (the shared budget). Default: 10000.", DefaultValueFactory = _ => TrainOptions.DefaultSteps };
        var batch = new Option<int>("--batch") { Description = "Slices per batch. Default: 64 (the paper's).", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Learning rate. Default: 2e-5 (the paper's).", DefaultValueFactory = _ => 2e-5 };
        var optimizer = ChoiceOption.Create("--optimizer", "rmsprop (the paper's) or adam (beta1 0.5). Default: rmsprop.", OptimizerKind.RmsProp, Choices.Optimizers);
        var depth = new Option<int>("--depth") { Description = "Segmentor down-sampling blocks. Default: 4 (the paper's).", DefaultValueFactory = _ => 4 };
        var width = new Option<int>("--width") { Description = "Feature maps of the first block. Default: 64 (the paper's).", DefaultValueFactory = _ => 64 };
        var sliceSize = new Option<int>("--slice-size") { Description = "Side of the square slice crops; a multiple of 2^depth. Default: 160.", DefaultValueFactory = _ => SliceCrop.PaperSize };
        var crop = new Option<string>("--crop") { Description = "Prepared grid XxYxZ centred on the brain (the paper: 180x180x128). Default: " + TrainCommand.DefaultCrop + ".", DefaultValueFactory = _ => TrainCommand.DefaultCrop };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of cases held out as the test set (no run trains on them). Default: 0.2.", DefaultValueFactory = _ => ExperimentOptions.DefaultTestFraction };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of the other cases each run holds out for validation. Default: 0.1.", DefaultValueFactory = _ => DatasetSplit.PaperValidationFraction };
        var splitSeed = new Option<int>("--split-seed") { Description = "Seed of the test split. Default: 0.", DefaultValueFactory = _ => 0 };
        var valEvery = new Option<int>("--val-every") { Description = "Validate every N steps; the best model by validation Dice is tested. Default: 500.", DefaultValueFactory = _ => 500 };
        var dice = new Option<double>("--dice-weight") { Description = "Weight of the soft Dice term added to every variant's loss (the U-Net's cross-entropy included); 0 for the paper's pure losses. Default: 1.", DefaultValueFactory = _ => TrainOptions.DefaultDiceWeight };
        var task = CommonOptions.Optional<int?>("--task", "Run only array task K (0-based) of the experiment, in the shared --out folder: with --tasks N the runs at positions K, K+N, ... of the plan (variants in --variants order, seeds 0..N-1 within each), else the one run at position K. Without it, a Slurm array's SLURM_ARRAY_TASK_ID (with SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (with --tasks) picks the task. A task writes no report: merge with --report. Default: the whole experiment.");
        var tasks = new Option<int?>("--tasks") { Description = "Number of array tasks sharing the experiment (Kubernetes: the Job's completions). Default: one task per run with --task, SLURM_ARRAY_TASK_COUNT under Slurm." };
        var report = new Option<bool>("--report") { Description = "Train nothing: merge every finished run in --out into report.md, results.json and the chart (the final step after array tasks). Give the same options as the tasks. Default: off." };
        var challenge = ChoiceOption.Optional("--challenge", "Also score each test set with the BraTS 2023-2024 lesion-wise Dice and HD95 of this challenge (gli, ssa, men, ped, met), reported beside the legacy figures. Default: none.", Choices.Challenges, Choices.ChallengeAliases);
        var dataset = DatasetOptions.Create();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("experiment", "Reproduce the paper's comparison: train every variant with the same budget, data and seeds, test on held-out cases, write a report.")
        {
            data, output, variants, seeds, steps, batch, lr, optimizer, depth, width, sliceSize, crop, testFraction, valFraction, splitSeed, valEvery, dice, task, tasks, report, challenge, device, threads,
        };
        dataset.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var folder = parse.GetValue(data)!;
            if (!folder.Exists)
            {
                throw new SegANException($"{folder.FullName}: dataset folder not found");
            }

            var options = new ExperimentOptions(
                folder,
                parse.GetValue(output)!.FullName,
                dataset.Resolve(parse, folder),
                ParseVariants(parse.GetValue(variants)!),
                parse.GetValue(seeds),
                parse.GetValue(steps),
                parse.GetValue(batch),
                parse.GetValue(lr),
                parse.GetValue(optimizer),
                parse.GetValue(depth),
                parse.GetValue(width),
                parse.GetValue(sliceSize),
                TrainCommand.ParseCrop(parse.GetValue(crop)!),
                parse.GetValue(testFraction),
                parse.GetValue(valFraction),
                parse.GetValue(splitSeed),
                parse.GetValue(valEvery),
                parse.GetValue(dice),
                "segan " + string.Join(" ", WithoutTaskTokens(parse.Tokens.Select(t => t.Value)).Select(Quote)),
                parse.GetValue(challenge)).Validate();
            if (parse.GetValue(report))
            {
                if (parse.GetValue(task) is not null)
                {
                    throw new SegANException("--report merges the finished runs and trains nothing; give it without --task");
                }

                var merged = ExperimentRunner.Report(options, new InlineProgress<string>(console.WriteLine));
                PrintSummary(console, merged);
                return merged.Complete ? ExitCodes.Ok : ExitCodes.Failed;
            }

            var arrayTask = ExperimentRunner.ResolveTask(parse.GetValue(task), parse.GetValue(tasks), ExperimentRunner.Plan(options).Count, Environment.GetEnvironmentVariable);
            var spec = DeviceSpec.Parse(parse.GetValue(device)!);
            ComputeContext.Initialize(spec, parse.GetValue(threads));

            // First Ctrl-C or SIGTERM: the current run checkpoints, the report is written, and the same command continues later.
            return CommandRunner.WithCtrlC(token =>
            {
                var log = new InlineProgress<string>(console.WriteLine);
                var training = new InlineProgress<TrainProgress>(p =>
                {
                    if (p.Message is { } message)
                    {
                        console.WriteLine("  " + message);
                    }
                });
                if (arrayTask is not null)
                {
                    var done = ExperimentRunner.RunTask(options, arrayTask, spec, log, training, token);
                    console.WriteLine(done.Complete
                        ? $"task {arrayTask}: done; when every task has finished, merge the report with the same options and --report"
                        : $"task {arrayTask}: not every run finished (see above); the same task again continues it");
                    return done.Interrupted ? ExitCodes.Interrupted : done.Complete ? ExitCodes.Ok : ExitCodes.Failed;
                }

                var result = ExperimentRunner.Run(options, spec, log, training, token);
                PrintSummary(console, result);
                return result.Interrupted ? ExitCodes.Interrupted : result.Complete ? ExitCodes.Ok : ExitCodes.Failed;
            });
        }));
        return command;
    }

    /// <summary>Parses a comma-separated list of variant names.</summary>
    internal static IReadOnlyList<Variant> ParseVariants(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(VariantExtensions.ParseVariant)];

    /// <summary>The command line without --task, --tasks and --report: the experiment every task and the merge share.</summary>
    internal static IEnumerable<string> WithoutTaskTokens(IEnumerable<string> tokens)
    {
        var skipValue = false;
        foreach (var token in tokens)
        {
            if (skipValue)
            {
                skipValue = false;
                continue;
            }

            var name = token.Split('=', ':')[0];
            if (name is "--task" or "--tasks")
            {
                skipValue = name == token;
                continue;
            }

            if (name == "--report")
            {
                continue;
            }

            yield return token;
        }
    }

    private static string Quote(string token) =>
        token.Length > 0 && token.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal)) ? token : "'" + token.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void PrintSummary(IAnsiConsole console, ExperimentResult result)
    {
        var table = new Table().AddColumns("variant", "seeds", "Dice WT", "Dice TC", "Dice ET", "mean");
        foreach (var s in result.Variants)
        {
            table.AddRow(
                [s.Variant.CliName(), s.FinishedSeeds.ToString(CultureInfo.InvariantCulture),
                 .. s.Regions.Select(r => r.Dice.ToText()), double.IsFinite(s.MeanDice) ? s.MeanDice.ToString("F3", CultureInfo.InvariantCulture) : "-"]);
        }

        console.Write(table);
    }
}
