using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SegAN.Data;
using SegAN.Training;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary>
/// <c>segan train --data DIR --out RUN</c>: prepares the dataset (paper preprocessing, seeded 9:1 split), then
/// trains a SegAN variant into the run folder (see <see cref="Trainer"/>). Ctrl-C saves a checkpoint and exits 130;
/// <c>--resume</c> continues it exactly.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new TrainOptions("run");
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Dataset folder: a folder per case (optionally under HGG/LGG group folders). Required.",
            Required = true,
        };
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Run folder (created): options.json, model.segan (best model), last.ckpt, metrics.jsonl, train.log. Required.",
            Required = true,
        };
        var variant = new Option<string>("--variant")
        {
            Description = "Network variant (paper Sec. 3.1): s1-1c, s3-1c, s3-3c, s3-3c-s0, s3-3c-s3 or unet (the U-Net baseline, softmax cross-entropy). Default: s3-3c.",
            DefaultValueFactory = _ => defaults.Variant.CliName(),
        };
        var steps = new Option<long?>("--steps")
        {
            Description = $"Training steps (one batch each). Default: {TrainOptions.DefaultSteps.ToString(CultureInfo.InvariantCulture)} unless --epochs is given.",
        };
        var epochs = new Option<double?>("--epochs")
        {
            Description = "Training length in passes over the training slices that hold brain (instead of --steps). Default: none.",
        };
        var batch = new Option<int>("--batch")
        {
            Description = "Slices per batch (the paper: 64). Default: 64.",
            DefaultValueFactory = _ => defaults.BatchSize,
        };
        var crop = new Option<int>("--crop")
        {
            Description = $"Side of the square training crop and of the centred validation crop (the paper: 160). Must be a multiple of 2^depth. Default: {SliceCrop.PaperSize}.",
            DefaultValueFactory = _ => SliceCrop.PaperSize,
        };
        var lr = new Option<double>("--lr")
        {
            Description = "Learning rate of segmentor and critics (the paper: 0.00002). Default: 2e-5.",
            DefaultValueFactory = _ => defaults.LearningRate,
        };
        var optimizer = new Option<string>("--optimizer")
        {
            Description = "rmsprop (the paper) or adam (beta1 0.5). Default: rmsprop.",
            DefaultValueFactory = _ => "rmsprop",
        };
        var schedule = new Option<string>("--lr-schedule")
        {
            Description = "constant, cosine (to zero over the run) or step (x0.1 at 50% and 75%). Default: constant.",
            DefaultValueFactory = _ => "constant",
        };
        var clip = new Option<double>("--clip")
        {
            Description = "Critic weights are clamped to [-clip, clip] after every critic step. Default: 0.05.",
            DefaultValueFactory = _ => defaults.Clip,
        };
        var diceWeight = new Option<double>("--dice-weight")
        {
            Description = "Weight of the soft Dice term added to the segmentor's loss (0 = the paper's loss alone; the authors' code uses 1). Default: 1.",
            DefaultValueFactory = _ => defaults.DiceWeight,
        };
        var valEvery = new Option<int>("--val-every")
        {
            Description = "Validate on the whole validation volumes and save a checkpoint every N steps (and at the end). Default: 500.",
            DefaultValueFactory = _ => defaults.ValEvery,
        };
        var logEvery = new Option<int>("--log-every")
        {
            Description = "Write mean losses to metrics.jsonl every N steps. Default: 10.",
            DefaultValueFactory = _ => defaults.LogEvery,
        };
        var depth = new Option<int>("--depth")
        {
            Description = "Down (and up) blocks of the segmentor (the paper: 4). Default: 4.",
            DefaultValueFactory = _ => defaults.Depth,
        };
        var width = new Option<int>("--width")
        {
            Description = "Feature maps of the first block, doubled per level (the paper: 64). Default: 64.",
            DefaultValueFactory = _ => defaults.BaseWidth,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the weights, the train/validation split and the batch stream. Default: 0.",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the run in --out from its last.ckpt (weights, optimiser state, batch position, step). Default: off.",
        };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var datasetOptions = DatasetOptions.Create();
        var command = new Command("train", "Train SegAN (or the U-Net baseline) on a dataset folder into a run folder.")
        {
            data, output, variant, steps, epochs, batch, crop, lr, optimizer, schedule, clip, diceWeight, valEvery, logEvery,
            depth, width, seed, resume, device, threads,
        };
        datasetOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var options = new TrainOptions(
                parse.GetValue(output)!.FullName,
                VariantExtensions.ParseVariant(parse.GetValue(variant)!),
                parse.GetValue(steps),
                parse.GetValue(epochs),
                parse.GetValue(batch),
                parse.GetValue(lr),
                ParseOptimizer(parse.GetValue(optimizer)!),
                ParseSchedule(parse.GetValue(schedule)!),
                parse.GetValue(clip),
                parse.GetValue(diceWeight),
                parse.GetValue(valEvery),
                parse.GetValue(logEvery),
                parse.GetValue(seed),
                parse.GetValue(resume),
                parse.GetValue(depth),
                parse.GetValue(width),
                Data: parse.GetValue(data)!.FullName).Validated();
            var cropSize = parse.GetValue(crop);
            new SegAN.Models.SegANArchitecture(options.Variant, 1, options.Depth, options.BaseWidth, options.CriticDepth).Validated().ValidateInputSize(cropSize, cropSize);
            var computeDevice = CommandRunner.InitializeCompute(parse.GetValue(device)!, parse.GetValue(threads));

            var root = parse.GetValue(data)!;
            var layout = datasetOptions.Resolve(parse, root);
            if (layout.SegPattern is null)
            {
                throw new SegANException($"{root.FullName}: training needs segmentations; give --seg GLOB (or a --preset that names them).");
            }

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                var preprocess = PreprocessOptions.Paper;
                var prepared = CaseLoader.PrepareSplit(root, layout, options.Seed, preprocess, cancellationToken: cancel.Token);
                var (train, validation) = (prepared.Train, prepared.Validation);
                if (train.Count == 0)
                {
                    throw new SegANException($"{root.FullName}: no training cases.");
                }

                console.MarkupLineInterpolated(
                    $"prepared {train.Count} training and {validation.Count} validation case(s); modalities {string.Join(", ", layout.ModalityNames)}; labels {layout.Labels.Name()}");

                var sampler = new SliceSamplerOptions(options.BatchSize, cropSize, Flip: true, Seed: options.Seed);
                var inputs = new TrainingInputs(
                    consumed => new SliceSampler(train, sampler, consumed),
                    train.Sum(c => (long)c.SliceHasBrain.Count(b => b)),
                    validation.Count > 0 ? new PreparedValidationSet(validation, cropSize) : null,
                    layout.ModalityNames,
                    layout.Labels.Name(),
                    JsonSerializer.SerializeToElement(new { preprocess, crop = cropSize, layout }));
                var result = TrainWithProgress(console, options, inputs, computeDevice, cancel.Token);
                console.MarkupLineInterpolated($"{result.Message}");
                return result.Status switch
                {
                    TrainStatus.Completed => ExitCodes.Ok,
                    TrainStatus.Cancelled => ExitCodes.Interrupted,
                    _ => ExitCodes.Failed,
                };
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }));
        return command;
    }

    private static TrainResult TrainWithProgress(IAnsiConsole console, TrainOptions options, TrainingInputs inputs, TorchSharp.torch.Device device, CancellationToken cancel)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            // Plain lines for logs and pipes: every log point and every event.
            return Trainer.Run(options, inputs, device, new Reporter(p =>
            {
                if (p.Step % options.LogEvery == 0 || p.Step == p.TotalSteps)
                {
                    console.WriteLine(Describe(p));
                }

                if (p.Message is not null)
                {
                    console.WriteLine(p.Message);
                }
            }), cancel);
        }

        TrainResult? result = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                result = Trainer.Run(options, inputs, device, new Reporter(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = Markup.Escape(Describe(p));
                    if (p.Message is not null)
                    {
                        console.MarkupLineInterpolated($"{p.Message}");
                    }
                }), cancel);
            });
        return result!;
    }

    private static string Describe(TrainProgress p)
    {
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps} critic {p.Losses.Critic:F4} seg {p.Losses.Segmentor:F4} dice {p.Losses.Dice:F4} lr {p.LearningRate:G3}");
        if (p.LastValidation is { } v)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" val {v.Mean:F3}");
        }

        if (p.Remaining is { } eta)
        {
            text += $" eta {eta:hh\\:mm\\:ss}";
        }

        return text;
    }

    private static OptimizerKind ParseOptimizer(string text) => text.Trim().ToLowerInvariant() switch
    {
        "rmsprop" => OptimizerKind.RmsProp,
        "adam" => OptimizerKind.Adam,
        _ => throw new SegANException($"--optimizer '{text}' is not one of rmsprop, adam."),
    };

    private static LearningRateSchedule ParseSchedule(string text) => text.Trim().ToLowerInvariant() switch
    {
        "constant" => LearningRateSchedule.Constant,
        "cosine" => LearningRateSchedule.Cosine,
        "step" => LearningRateSchedule.Step,
        _ => throw new SegANException($"--lr-schedule '{text}' is not one of constant, cosine, step."),
    };

    // Reports synchronously on the training thread (Progress<T> would post to the thread pool).
    private sealed class Reporter(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }
}
