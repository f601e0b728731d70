using SegAN.Compute;
using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Inference;

/// <summary>What happened to one case of a <c>segan predict</c> run.</summary>
public enum CaseOutcome
{
    /// <summary>The label map was written.</summary>
    Written,
    /// <summary>The output existed already and was kept.</summary>
    Skipped,
    /// <summary>The case could not be segmented; its error says why.</summary>
    Failed,
}

/// <summary>One case's outcome; <see cref="Error"/> says why a failed case failed.</summary>
public sealed record CaseResult(string Name, CaseOutcome Outcome, string? OutputFile, string? Error, double Seconds)
{
    /// <summary>Warnings from reading the case (non-finite voxels counted as background), each naming its file.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Segments many cases into an output folder: <c>CASE_seg.nii.gz</c> (uint8, the input's header geometry) and,
/// when asked, <c>CASE_prob_WT.nii.gz</c>, <c>_TC</c>, <c>_ET</c> (float32). Every file is written atomically; a case
/// that fails is reported and the others still run.
/// </summary>
public static class DatasetPredictor
{
    /// <summary>The label-map file name of a case.</summary>
    public static string OutputName(string caseName) => caseName + "_seg.nii.gz";

    /// <summary>The label-map file name of a case under <paramref name="options"/>' naming (nnU-Net's <c>CASE.nii.gz</c> or <c>CASE_seg.nii.gz</c>).</summary>
    public static string OutputName(string caseName, PredictOptions options) =>
        options?.NnUNetNaming == true ? caseName + ".nii.gz" : OutputName(caseName);

    /// <summary>The probability-map file name of a case and region.</summary>
    public static string ProbabilityName(string caseName, Region region) => $"{caseName}_prob_{region.ShortName()}.nii.gz";

    /// <summary>
    /// Segments every case with the model at <paramref name="modelPath"/> (TorchSharp, default options, the model's own
    /// recipe), as the demo and the experiment do; the first failed case is a <see cref="SegANException"/>.
    /// </summary>
    public static void RunAll(string modelPath, IReadOnlyList<CaseFiles> cases, string outputDirectory, DeviceSpec device, CancellationToken cancellation = default)
    {
        var info = SegmentationModelInfo.Read(modelPath);
        var options = new PredictOptions();
        using var engine = EngineFactory.Open(modelPath, EngineKind.Torch, device, 0);
        var results = Run(new CasePredictor(engine, InferenceRecipe.From(info.Header, modelPath), options), cases, outputDirectory, options, cancellation: cancellation);
        if (results.FirstOrDefault(r => r.Outcome == CaseOutcome.Failed) is { } failed)
        {
            throw new SegANException($"segmenting {failed.Name} with {modelPath} failed: {failed.Error}");
        }
    }

    /// <summary>
    /// Throws a <see cref="SegANException"/> (before anything is written) when an output of some case would be one
    /// of the input files of the cases read (an image or a truth label map: <c>predict -o CASE_DIR</c> would replace
    /// <c>CASE_seg.nii.gz</c>), or would replace an existing file inside a case's folder.
    /// </summary>
    public static void EnsureNoInputOverwritten(IReadOnlyList<CaseFiles> cases, string outputDirectory, PredictOptions options)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(options);
        var inputs = new Dictionary<string, (string Case, string Role)>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            foreach (var (file, modality) in c.ModalityFiles.Zip(c.Modalities))
            {
                inputs.TryAdd(OutputPath.RealPath(file), (c.Name, $"its {modality} image"));
            }

            if (c.SegFile is { } seg)
            {
                inputs.TryAdd(OutputPath.RealPath(seg), (c.Name, "its truth label map"));
            }
        }

        var folder = OutputPath.RealPath(outputDirectory);
        var caseFolders = cases.Select(c => OutputPath.RealPath(c.Directory) + Path.DirectorySeparatorChar).ToList();
        foreach (var c in cases)
        {
            var outputs = options.Probabilities
                ? LabelNames.Regions.Select(r => ProbabilityName(c.Name, r)).Append(OutputName(c.Name, options))
                : [OutputName(c.Name, options)];
            foreach (var name in outputs)
            {
                var output = Path.Combine(folder, name);
                if (inputs.TryGetValue(output, out var owner))
                {
                    throw new SegANException(Setting.Output, $"output folder {outputDirectory}: writing {name} would overwrite {output}, an input of case {owner.Case} ({owner.Role}); choose another output folder");
                }

                if (File.Exists(output) && !options.SkipExisting && caseFolders.Any(f => output.StartsWith(f, StringComparison.Ordinal)))
                {
                    throw new SegANException(Setting.Output, $"output folder {outputDirectory}: writing {name} would overwrite {output} inside a case folder of the input; choose another output folder");
                }
            }
        }
    }

    /// <summary>
    /// Segments <paramref name="cases"/> into <paramref name="outputDirectory"/> (created when missing), in order;
    /// <paramref name="progress"/> hears each finished case.
    /// </summary>
    public static IReadOnlyList<CaseResult> Run(
        CasePredictor predictor,
        IReadOnlyList<CaseFiles> cases,
        string outputDirectory,
        PredictOptions options,
        IProgress<CaseResult>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(cases);
        var duplicate = cases.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SegANException($"two cases are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(c => c.Directory))}); their outputs would overwrite each other");
        }

        EnsureNoInputOverwritten(cases, outputDirectory, options);
        Directory.CreateDirectory(outputDirectory);
        var results = new List<CaseResult>();
        foreach (var files in cases)
        {
            cancellation.ThrowIfCancellationRequested();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var output = Path.Combine(outputDirectory, OutputName(files.Name, options));
            CaseResult result;
            if (options.SkipExisting && File.Exists(output))
            {
                result = new CaseResult(files.Name, CaseOutcome.Skipped, output, null, 0);
            }
            else
            {
                try
                {
                    var segmentation = predictor.Segment(files);
                    if (segmentation.Probabilities is { } maps)
                    {
                        for (var r = 0; r < maps.Count; r++)
                        {
                            NiftiFile.Write(Path.Combine(outputDirectory, ProbabilityName(files.Name, LabelNames.Regions[r])), maps[r], NiftiDataType.Float32);
                        }
                    }

                    // The label map last: its presence means the case is complete (--skip-existing relies on it).
                    NiftiFile.Write(output, segmentation.Labels, NiftiDataType.UInt8);
                    result = new CaseResult(files.Name, CaseOutcome.Written, output, null, watch.Elapsed.TotalSeconds) { Warnings = segmentation.Warnings };
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Whatever the type (an overflow, memory, a disk error): this case failed, the others still run.
                    result = new CaseResult(files.Name, CaseOutcome.Failed, null, ErrorReport.OneLine(e), watch.Elapsed.TotalSeconds);
                }
            }

            results.Add(result);
            progress?.Report(result);
        }

        return results;
    }
}
