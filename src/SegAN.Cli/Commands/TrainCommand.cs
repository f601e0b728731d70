using System.CommandLine;
using System.Globalization;
using SegAN.Data;
using SegAN.Models;
using SegAN.Reporting;
using SegAN.Training;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan train</c>: trains SegAN (or the U-Net baseline) on a dataset folder into a run folder.</summary>
internal static class TrainCommand
{
    // The library's defaults (TrainOptions' record defaults), which the options and their help read.
    private static readonly TrainOptions Defaults = new(string.Empty);

    /// <summary>The variants by their command-line names, for <c>--variant</c> here and in <c>segan demo</c>.</summary>
    internal static readonly (string Name, Variant Value)[] Variants = [.. VariantExtensions.All.Select(v => (v.CliName(), v))];

    /// <summary>The default prepared grid as <c>--crop</c> writes it (XxYxZ), from the library's default.</summary>
    internal static readonly string DefaultCrop = Inv($"{PreprocessOptions.Default.CropX}x{PreprocessOptions.Default.CropY}x{PreprocessOptions.Default.CropZ}");

    // The default clipping percentiles as --percentiles writes them (LO,HI), from the library's default.
    private static readonly string DefaultPercentiles = Inv($"{PreprocessOptions.Default.LowerPercentile},{PreprocessOptions.Default.UpperPercentile}");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static Command Create(IAnsiConsole console)
    {
        var data = CommonOptions.Required<DirectoryInfo>("--data", "Dataset folder: one folder per case (optionally under HGG/LGG), files matched by --preset/--modality. Required.");
        var output = CommonOptions.Required<DirectoryInfo>("--out", "Run folder: model.segan (best), last.ckpt, metrics.jsonl, curves.png, options.json, train.log. Required.", "-o");
        var variant = ChoiceOption.Create(
            "--variant",
            "s1-1c, s3-1c, s3-3c (the paper's best), s3-3c-s0, s3-3c-s3 (single scale) or unet (cross-entropy baseline, no critic). Default: s3-3c.",
            Defaults.Variant,
            Variants);
        var steps = new Option<long?>("--steps") { Description = "Training steps (one critic and one segmentor update each). Default: 10000 unless --epochs is given." };
        var epochs = new Option<double?>("--epochs") { Description = "Passes over the training slices, instead of --steps. Default: none." };
        var batch = new Option<int>("--batch") { Description = Inv($"Slices per batch (the paper: 64). Default: {Defaults.BatchSize}."), DefaultValueFactory = _ => Defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Learning rate (the paper: 2e-5 with rmsprop). Default: 2e-4.", DefaultValueFactory = _ => Defaults.LearningRate };
        var optimizer = ChoiceOption.Create("--optimizer", "adam (beta1 0.5, as the authors' code) or rmsprop (the paper's; use with --lr 2e-5 --batch 64). Default: adam.", Defaults.Optimizer, Choices.Optimizers);
        var schedule = ChoiceOption.Create("--lr-schedule", "constant, cosine (to 0) or step (x0.1 at 50% and 75%). Default: constant.", Defaults.LrSchedule, [("constant", LearningRateSchedule.Constant), ("cosine", LearningRateSchedule.Cosine), ("step", LearningRateSchedule.Step)]);
        var clip = new Option<double>("--clip") { Description = Inv($"Critic weights are clipped to [-clip, clip] after each critic step. Default: {Defaults.Clip} (the authors' code; the paper says 0.01)."), DefaultValueFactory = _ => Defaults.Clip };
        var dice = new Option<double>("--dice-weight") { Description = "Weight of the soft Dice term added to the segmentor's loss; 0 for the pure multi-scale L1 loss. Default: 1 (see README).", DefaultValueFactory = _ => Defaults.DiceWeight };
        var diceMode = ChoiceOption.Create("--dice-mode", "How the Dice term treats the regions: pooled (one Dice over all regions' voxels, as the PyTorch reference) or per-region (one Dice per region, averaged: small regions weigh as much as the whole tumour, which over-segments them early in training; see README). Default: pooled.", Defaults.DiceMode, [("pooled", Losses.DiceReduction.Pooled), ("per-region", Losses.DiceReduction.PerRegion)]);
        var valEvery = new Option<int>("--val-every") { Description = Inv($"Validate on the whole validation volumes every N steps (and at the end). Default: {Defaults.ValEvery}."), DefaultValueFactory = _ => Defaults.ValEvery };
        var logEvery = new Option<int>("--log-every") { Description = Inv($"Write a metrics.jsonl line every N steps. Default: {Defaults.LogEvery}."), DefaultValueFactory = _ => Defaults.LogEvery };
        var seed = new Option<int>("--seed") { Description = Inv($"Seed of the split, the weights and the batches; a CPU run is repeatable. Default: {Defaults.Seed}."), DefaultValueFactory = _ => Defaults.Seed };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out exactly where last.ckpt left it. Default: off." };
        var depth = new Option<int>("--depth") { Description = Inv($"Segmentor down-sampling blocks (the paper: 4). Default: {Defaults.Depth}."), DefaultValueFactory = _ => Defaults.Depth };
        var width = new Option<int>("--width") { Description = Inv($"Feature maps of the first block, doubled per block (the paper: 64). Default: {Defaults.BaseWidth}."), DefaultValueFactory = _ => Defaults.BaseWidth };
        var criticDepth = new Option<int>("--critic-depth") { Description = Inv($"Critic down-sampling blocks (the paper: 3); 1 gives critics without batch norm. Default: {Defaults.CriticDepth}."), DefaultValueFactory = _ => Defaults.CriticDepth };
        var sliceSize = new Option<int>("--slice-size") { Description = "Side of the square random slice crops training sees; a multiple of 2^depth (validation and predict segment whole slices). Default: 160.", DefaultValueFactory = _ => SliceCrop.PaperSize };
        var crop = new Option<string>("--crop") { Description = "Prepared grid XxYxZ centred on the brain (the paper: 180x180x128, which cuts brains taller than 128 mm). Default: " + DefaultCrop + ".", DefaultValueFactory = _ => DefaultCrop };
        var percentiles = new Option<string>("--percentiles") { Description = "Each modality is clipped at these brain percentiles LO,HI before z-scoring (e.g. 0.5,99.5; 0,100 clips nothing, as nnU-Net does for MRI). Default: " + DefaultPercentiles + ".", DefaultValueFactory = _ => DefaultPercentiles };
        var valFraction = new Option<double?>("--val-fraction") { Description = "Share of cases held out for validation. Default: 0.1 (the paper's 9:1) from 10 cases on; with fewer, none is held out and validation scores the training cases (said in the output)." };
        var distributed = CommonOptions.Optional<bool>("--distributed", "Data-parallel training over MPI (launch with mpirun -np N or srun --mpi=pmix -n N): --batch is the global batch, split among the ranks; gradients are averaged every step; rank 0 validates and writes --out. Needs Open MPI (libmpi.so.40). Default: off.");
        var dataset = DatasetOptions.Create();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("train", "Train SegAN's segmentor and critic(s) with the multi-scale L1 loss (or the U-Net baseline) on a dataset folder.")
        {
            data, output, variant, steps, epochs, batch, lr, optimizer, schedule, clip, dice, diceMode, valEvery, logEvery, seed, resume, depth, width, criticDepth, sliceSize, crop, percentiles, valFraction, distributed, device, threads,
        };
        dataset.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var folder = parse.GetValue(data)!;
            var options = new TrainOptions(
                parse.GetValue(output)!.FullName,
                parse.GetValue(variant),
                parse.GetValue(steps),
                parse.GetValue(epochs),
                parse.GetValue(batch),
                parse.GetValue(lr),
                parse.GetValue(optimizer),
                parse.GetValue(schedule),
                parse.GetValue(clip),
                parse.GetValue(dice),
                parse.GetValue(valEvery),
                parse.GetValue(logEvery),
                parse.GetValue(seed),
                parse.GetValue(resume),
                parse.GetValue(depth),
                parse.GetValue(width),
                parse.GetValue(criticDepth),
                DiceMode: parse.GetValue(diceMode)).Validated();
            var training = new DatasetTrainingOptions(
                folder,
                dataset.Resolve(parse, folder),
                ParsePercentiles(parse.GetValue(percentiles)!, ParseCrop(parse.GetValue(crop)!)),
                parse.GetValue(sliceSize),
                parse.GetValue(valFraction)).Validate();
            var torchDevice = CommandRunner.InitializeCompute(parse.GetValue(device)!, parse.GetValue(threads));
            if (!parse.GetValue(distributed))
            {
                return ExitCode(TrainingSession.Run(console, options, training, torchDevice));
            }

            // MPI is finalised only after a clean end: a rank that fails exits without MPI_Finalize, and the launcher
            // then stops the other ranks instead of leaving them waiting in a collective call.
            var mpi = Distributed.MpiCommunicator.Initialize();
            var result = TrainingSession.Run(mpi.Rank == 0 ? console : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.No }), options, training, torchDevice, mpi);
            mpi.Dispose();
            return ExitCode(result);
        }));
        return command;
    }

    private static int ExitCode(TrainResult result) => result.Status switch
    {
        TrainStatus.Completed => ExitCodes.Ok,
        TrainStatus.Cancelled => ExitCodes.Interrupted,
        _ => ExitCodes.Failed,
    };

    /// <summary>Parses XxYxZ (e.g. 180x180x128) into preprocessing with the default percentiles.</summary>
    internal static PreprocessOptions ParseCrop(string text)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0))
        {
            throw new SegANException($"--crop '{text}': expected XxYxZ with positive whole numbers, e.g. 180x180x128");
        }

        var v = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return PreprocessOptions.Default with { CropX = v[0], CropY = v[1], CropZ = v[2] };
    }

    /// <summary>Parses LO,HI (e.g. 0.5,99.5) into <paramref name="preprocess"/>'s clipping percentiles.</summary>
    internal static PreprocessOptions ParsePercentiles(string text, PreprocessOptions preprocess)
    {
        var parts = text.Split(',');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lo)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var hi))
        {
            throw new SegANException($"--percentiles '{text}': expected LO,HI, e.g. 0.5,99.5");
        }

        return (preprocess with { LowerPercentile = lo, UpperPercentile = hi }).Validate();
    }
}

/// <summary>Runs a training with console feedback: a progress bar in a terminal, log lines otherwise; Ctrl-C checkpoints and stops.</summary>
internal static class TrainingSession
{
    public static TrainResult Run(IAnsiConsole console, TrainOptions options, DatasetTrainingOptions training, TorchSharp.torch.Device device, Distributed.ICommunicator? communicator = null)
    {
        // First Ctrl-C: save a checkpoint and stop cleanly; the trainer sees the token after the current step.
        return CommandRunner.WithCtrlC(token =>
        {
            console.MarkupLineInterpolated($"Training {options.Variant.CliName()} on {training.Data.FullName} into {options.Out}");
            var loading = new InlineProgress<string>(console.WriteLine);
            TrainResult result;
            if (console.Profile.Capabilities.Interactive)
            {
                result = null!;
                console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(context =>
                    {
                        var task = context.AddTask("training", autoStart: true, maxValue: 1);
                        var progress = new InlineProgress<TrainProgress>(p =>
                        {
                            task.MaxValue = p.TotalSteps;
                            task.Value = p.Step;
                            task.Description = Markup.Escape(Describe(p));
                            if (p.Message is { } message)
                            {
                                console.MarkupLineInterpolated($"[grey]{message}[/]");
                            }
                        });
                        result = DatasetTraining.Run(options, training, device, progress, loading, communicator, token);
                    });
            }
            else
            {
                long lastLogged = -1;
                var progress = new InlineProgress<TrainProgress>(p =>
                {
                    if (p.Message is { } message)
                    {
                        console.WriteLine(message);
                    }

                    if (p.Step == p.TotalSteps || p.Step - lastLogged >= Math.Max(1, options.LogEvery))
                    {
                        lastLogged = p.Step;
                        console.WriteLine(Describe(p));
                    }
                });
                result = DatasetTraining.Run(options, training, device, progress, loading, communicator, token);
            }

            if (communicator is not { Rank: > 0 } && File.Exists(Path.Combine(result.RunFolder, Trainer.MetricsFileName)))
            {
                TrainingCurves.WriteForRun(result.RunFolder);
            }

            var colour = result.Status == TrainStatus.Completed ? "green" : "yellow";
            console.MarkupLineInterpolated($"[{colour}]{result.Status.ToString().ToLowerInvariant()}[/]: {ResultLine(result)}");
            return result;
        });
    }

    /// <summary>
    /// The library's message on how the run ended, with what to type next: the library speaks of resuming and of
    /// the learning rate and clip, the command line names the options that do it.
    /// </summary>
    internal static string ResultLine(TrainResult result) => result.Status switch
    {
        TrainStatus.Cancelled => $"{result.Message} The same command with --resume (and the same --out) continues it.",
        TrainStatus.Diverged => $"{result.Message} On the command line: --lr and --clip.",
        _ => result.Message,
    };

    private static string Describe(TrainProgress p)
    {
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps}  critic {p.Losses.Critic:F4}  seg {p.Losses.Segmentor:F4}  dice {p.Losses.Dice:F4}");
        if (p.LastValidation is { } v)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"  val WT {v.Wt:F3} TC {v.Tc:F3} ET {v.Et:F3}");
        }

        if (p.Remaining is { } remaining)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"  eta {remaining:hh\\:mm\\:ss}");
        }

        return text;
    }
}
