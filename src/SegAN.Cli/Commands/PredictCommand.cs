using System.CommandLine;
using System.Globalization;
using SegAN.Data;
using SegAN.Inference;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan predict</c>: segments a case, a dataset folder or explicit files into label maps.</summary>
internal static class PredictCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = CommonOptions.Required<FileInfo>("--model", "The model: a run's model.segan, or an exported .onnx (which selects the onnx engine). Required.", "-m");
        var input = CommonOptions.Optional<DirectoryInfo?>("--input", "A case folder or a dataset folder of cases. Omit it to give one case's files with --modality NAME=FILE.", "-i");
        var output = CommonOptions.Required<DirectoryInfo>("--out", "Output folder for CASE_seg.nii.gz files (created if needed). Required.", "-o");
        var engine = ChoiceOption.Create(
            "--engine",
            "Inference engine: auto (onnx for a .onnx model, torch otherwise), torch or onnx. Default: auto.",
            EngineKind.Auto,
            [("auto", EngineKind.Auto), ("torch", EngineKind.Torch), ("onnx", EngineKind.Onnx)]);
        var batch = CommonOptions.Defaulted<int>("--batch", 16, "Slices per forward pass. Default: 16.");
        var tta = CommonOptions.Optional<bool>("--tta", "Flip test-time augmentation: also segment left-right mirrored slices and average. Default: off.");
        var largest = CommonOptions.Optional<bool>("--largest-component", "Keep only the largest connected component of each region (WT, TC, ET). Default: off.");
        var probabilities = CommonOptions.Optional<bool>("--probabilities", "Also write float32 probability maps CASE_prob_WT/TC/ET.nii.gz. Default: off.");
        var skip = CommonOptions.Optional<bool>("--skip-existing", "Skip cases whose CASE_seg.nii.gz already exists (outputs are written atomically). Default: off.");
        var threshold = CommonOptions.Defaulted<double>("--threshold", 0.5, "Probability above which a voxel belongs to a region. Default: 0.5.");
        var window = ChoiceOption.Create(
            "--window",
            "What the network sees of each prepared slice: whole (the whole slice, zero-padded to the network's size multiple: tumour anywhere in the grid is segmented) or centre (the paper's centred crop of the model's slice size; the rest is background). Default: whole.",
            SliceWindow.Whole,
            [.. Enum.GetValues<SliceWindow>().Select(w => (w.Name(), w))],
            [("center", SliceWindow.Centre)]);
        var naming = ChoiceOption.Create(
            "--naming",
            "Label-map file names: brats (CASE_seg.nii.gz) or nnunet (CASE.nii.gz, as nnU-Net's predictions). Default: brats.",
            LabelMapNaming.Brats,
            [("brats", LabelMapNaming.Brats), ("nnunet", LabelMapNaming.NnUNet)]);
        var labels = ChoiceOption.Optional("--out-labels", "Label convention of the written maps: brats2015, brats2021, brats2023, brats2024-gli or nnunet-brats. Default: the model's.", Choices.Labels, Choices.LabelAliases);
        var bf16 = CommonOptions.Optional<bool>("--bf16", "Run the torch engine in bfloat16 (CPUs with AVX512-BF16 only; measured 1.5x faster, Dice within 0.0001 of float32). Default: off.");
        var shard = CommonOptions.Optional<string?>("--shard", "Segment only shard K/N of the sorted case names (round-robin: names K, K+N, ...), skipping cases already written, and write failures-shard-K-of-N.json. Default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT in a Slurm job array, else all cases.");
        var shards = CommonOptions.Optional<int?>("--shards", "Number of shards N when the index comes from the environment: a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (N = completions) or a Slurm array. Default: none.");
        var dataset = DatasetOptions.Create();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Segment new volumes with a trained model: each case is preprocessed as in training, segmented slice by slice, restored into the input's geometry and written as CASE_seg.nii.gz.")
        {
            model, input, output, engine, batch, tta, largest, probabilities, skip, threshold, window, naming, labels, bf16, shard, shards, device, threads,
        };
        dataset.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var part = Distributed.ShardSpec.Resolve(parse.GetValue(shard), parse.GetValue(shards), Environment.GetEnvironmentVariable);

            // A shard is a batch task that may be requeued: it always skips cases whose output is complete.
            var options = new PredictOptions(
                parse.GetValue(batch),
                parse.GetValue(tta),
                parse.GetValue(largest),
                parse.GetValue(probabilities),
                parse.GetValue(skip) || part is not null,
                parse.GetValue(threshold),
                parse.GetValue(window),
                parse.GetValue(naming) == LabelMapNaming.NnUNet).Validate();
            var outDir = Imaging.OutputPath.CheckFolder(parse.GetValue(output)!.FullName, "--out");
            var modelPath = parse.GetValue(model)!.FullName;
            var info = SegmentationModelInfo.Read(modelPath);
            var recipe = InferenceRecipe.From(info.Header, modelPath);
            if (parse.GetValue(labels) is { } outLabels)
            {
                recipe = recipe with { Labels = outLabels };
            }

            var found = FindCases(parse, dataset, input, info.Modalities);
            var cases = part is null ? found : part.Select(found, c => c.Name);
            using var segmentationEngine = EngineFactory.Open(
                modelPath,
                parse.GetValue(engine),
                Compute.DeviceSpec.Parse(parse.GetValue(device)!),
                parse.GetValue(threads),
                parse.GetValue(bf16));
            var predictor = new CasePredictor(segmentationEngine, recipe, options);
            console.MarkupLineInterpolated($"Segmenting {cases.Count} case(s){(part is null ? string.Empty : $" (shard {part})")} with {segmentationEngine.Name} into {outDir} ({recipe.Labels.Name()} labels)");

            var results = RunWithProgress(console, predictor, cases, outDir, options);
            var failed = results.Where(r => r.Outcome == CaseOutcome.Failed).ToList();
            console.MarkupLineInterpolated(
                $"{results.Count(r => r.Outcome == CaseOutcome.Written)} written, {results.Count(r => r.Outcome == CaseOutcome.Skipped)} skipped, {failed.Count} failed");
            foreach (var warning in results.SelectMany(r => r.Warnings))
            {
                console.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
            }

            foreach (var f in failed)
            {
                console.MarkupLineInterpolated($"[red]failed:[/] {f.Name}: {f.Error}");
            }

            if (part is not null)
            {
                var report = new Distributed.ShardReport(
                    part.ToString(), cases.Count, results.Count(r => r.Outcome == CaseOutcome.Written), results.Count(r => r.Outcome == CaseOutcome.Skipped), [.. failed.Select(f => new Distributed.CaseFailure(f.Name, f.Error ?? string.Empty))]);
                console.MarkupLineInterpolated($"shard report: {report.Write(outDir, part)}");
            }

            return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    private static IReadOnlyList<CaseFiles> FindCases(ParseResult parse, DatasetOptions dataset, Option<DirectoryInfo?> input, IReadOnlyList<string> modelModalities)
    {
        var folder = parse.GetValue(input);
        if (folder is null)
        {
            return dataset.ExplicitCase(parse) is { } single
                ? [single]
                : throw new SegANException("give --input FOLDER (a case or a dataset) or the case's files as --modality NAME=FILE, one per model modality");
        }

        if (dataset.ExplicitCase(parse) is not null)
        {
            throw new SegANException("--input and --modality NAME=FILE both name the input; give one of them");
        }

        // Without --modality, look for the model's own modalities under the release's file names.
        var layout = parse.GetValue(dataset.Modality) is { Length: > 0 }
            ? dataset.Resolve(parse, folder)
            : NnUNetDataset.IsDataset(folder)
                ? NnUNetDataset.Read(folder).Layout(modelModalities)
                : DatasetPresets.Layout(DetectPreset(parse, dataset, folder), modelModalities);
        var cases = DatasetDiscovery.Discover(folder, layout, requireLabels: false);
        return cases.Count > 0 ? cases : throw new SegANException($"{folder.FullName}: no case found (looked for {string.Join(", ", layout.Modalities.Select(m => m.Pattern))})");
    }

    private static DatasetPreset DetectPreset(ParseResult parse, DatasetOptions dataset, DirectoryInfo folder)
    {
        return parse.GetValue(dataset.Preset).Preset
            ?? DatasetPresets.Detect(folder) ?? throw new SegANException(
                $"{folder.FullName}: no file looks like a BraTS release; give --preset or --modality NAME=GLOB");
    }

    private static IReadOnlyList<CaseResult> RunWithProgress(IAnsiConsole console, CasePredictor predictor, IReadOnlyList<CaseFiles> cases, string outDir, PredictOptions options)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            var done = 0;
            return DatasetPredictor.Run(predictor, cases, outDir, options, new InlineProgress<CaseResult>(r =>
            {
                done++;
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{done}/{cases.Count}] {r.Name}: {r.Outcome.ToString().ToLowerInvariant()} ({r.Seconds:F1} s)"));
            }));
        }

        IReadOnlyList<CaseResult> results = [];
        console.Progress().Start(context =>
        {
            var task = context.AddTask("segmenting", maxValue: cases.Count);
            results = DatasetPredictor.Run(predictor, cases, outDir, options, new InlineProgress<CaseResult>(r =>
            {
                task.Description = r.Name;
                task.Increment(1);
            }));
        });
        return results;
    }

    /// <summary>The file names <c>--naming</c> writes (the library's <see cref="PredictOptions.NnUNetNaming"/>).</summary>
    internal enum LabelMapNaming
    {
        /// <summary>CASE_seg.nii.gz.</summary>
        Brats,

        /// <summary>CASE.nii.gz, as nnU-Net's predictions.</summary>
        NnUNet,
    }
}
