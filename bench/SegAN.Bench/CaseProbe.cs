using System.Diagnostics;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Inference;

namespace SegAN.Bench;

/// <summary>Seconds per stage of segmenting one case end to end, and the total.</summary>
internal sealed record CaseResult(
    string Engine,
    string Shape,
    double OpenEngineSeconds,
    double ReadSeconds,
    double PredictSeconds,
    double WriteSeconds,
    double TotalSeconds,
    double PeakResidentMiB);

/// <summary>
/// One three-modality case (a phantom head cropped to BraTS's 240 x 240 x 155, int16 .nii.gz) segmented as
/// <c>segan predict</c> does it, through <see cref="CasePredictor"/>: read, then preprocess, segment the centred crop of
/// every slice holding brain, restack and restore to the source grid, then write the label map as .nii.gz.
/// </summary>
internal sealed class CaseProbe : IDisposable
{
    private readonly DirectoryInfo _folder;
    private readonly string[] _files;

    private CaseProbe(DirectoryInfo folder, string[] files, string[] modalities)
    {
        _folder = folder;
        _files = files;
        Modalities = modalities;
    }

    public IReadOnlyList<string> Modalities { get; }

    public string Shape { get; private init; } = "";

    public Volume? Truth { get; private init; }

    /// <summary>
    /// Writes phantom <paramref name="index"/> of <paramref name="side"/> voxels, cropped to <paramref name="depth"/>
    /// axial slices, as the modalities T1c, T2 and FLAIR (named <paramref name="names"/>).
    /// </summary>
    public static CaseProbe Create(int side, int depth, int seed = 0, int index = 0, string[]? names = null)
    {
        names ??= ["T1c", "T2", "FLAIR"];
        var folder = Directory.CreateTempSubdirectory("segan-bench-case-");
        var phantom = PhantomGenerator.Generate(new PhantomOptions(Size: side, Seed: seed), index);
        var geometry = ImageGeometry.FromSpacing([side, side, depth], [1, 1, 1]);
        var z0 = (side - depth) / 2;
        var plane = side * side;
        Volume Crop(Volume v) => new(v.Data.AsSpan(z0 * plane, depth * plane).ToArray(), geometry);
        var files = new List<string>();
        foreach (var (name, volume) in names.Zip([phantom.T1c, phantom.T2, phantom.Flair]))
        {
            var path = Path.Combine(folder.FullName, $"case_{name}.nii.gz");
            NiftiFile.Write(path, Crop(volume), NiftiDataType.Int16);
            files.Add(path);
        }

        return new CaseProbe(folder, [.. files], names) { Shape = $"{side}x{side}x{depth}", Truth = Crop(phantom.Segmentation) };
    }

    /// <summary>Segments the case with <paramref name="engine"/>, <paramref name="batch"/> slices per call.</summary>
    public (CaseResult Result, Volume Labels) Run(string modelPath, EngineKind engine, int threads, int batch, bool parallelRead, bool bfloat16 = false)
    {
        GC.Collect();
        ProcessMemory.ResetPeak();
        var watch = Stopwatch.StartNew();
        using var model = EngineFactory.Open(modelPath, engine, Compute.DeviceSpec.Cpu, threads, bfloat16);
        var predictor = new CasePredictor(model, InferenceRecipe.From(model.Model.Header, modelPath), new PredictOptions(BatchSize: batch));
        var open = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var files = CaseFiles.FromFiles(Modalities, _files);
        var volumes = parallelRead ? new CaseVolumes(files, ReadParallel(files.ModalityFiles), null) : CaseLoader.Load(files);
        var read = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var segmentation = predictor.Segment(volumes);
        var predict = watch.Elapsed.TotalSeconds;

        watch.Restart();
        NiftiFile.Write(Path.Combine(_folder.FullName, "case_pred.nii.gz"), segmentation.Labels, NiftiDataType.UInt8);
        var write = watch.Elapsed.TotalSeconds;
        var name = model.Name + (bfloat16 ? "-bf16" : "") + (parallelRead ? "" : " (sequential read)");
        return (new CaseResult(name, Shape, open, read, predict, write, read + predict + write, ProcessMemory.PeakMiB()), segmentation.Labels);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static List<Volume> ReadParallel(IReadOnlyList<string> paths)
    {
        var volumes = new Volume[paths.Count];
        Parallel.For(0, paths.Count, i => volumes[i] = ImageFile.Read(paths[i]));
        return [.. volumes];
    }
}
