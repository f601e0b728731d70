using System.Diagnostics;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Inference;

namespace SegAN.Bench;

/// <summary>Seconds per stage of segmenting one case end to end, and the total.</summary>
internal sealed record CaseResult(
    string Engine,
    string Shape,
    int SlicesPredicted,
    double OpenEngineSeconds,
    double ReadSeconds,
    double PreprocessSeconds,
    double SegmentSeconds,
    double RestoreSeconds,
    double WriteSeconds,
    double TotalSeconds,
    double PeakResidentMiB);

/// <summary>
/// One three-modality case (a phantom head cropped to BraTS's 240 x 240 x 155, int16 .nii.gz) segmented the way
/// <c>segan predict</c> does: read, preprocess (percentile clip, z-score, crop to the prepared grid), predict the
/// centred crop of every slice that holds brain, paste back, threshold, restore to the source grid, write .nii.gz.
/// </summary>
internal sealed class CaseProbe : IDisposable
{
    private readonly DirectoryInfo _folder;
    private readonly string[] _files;
    private readonly string[] _modalities = ["t1ce", "t2", "flair"];

    private CaseProbe(DirectoryInfo folder, string[] files)
    {
        _folder = folder;
        _files = files;
    }

    public PreprocessOptions Preprocess { get; private init; } = PreprocessOptions.Paper;

    public int CropSize { get; private init; } = SliceCrop.PaperSize;

    public string Shape { get; private init; } = "";

    /// <summary>Writes the case: a phantom of <paramref name="side"/> voxels, cropped to <paramref name="depth"/> axial slices.</summary>
    public static CaseProbe Create(int side, int depth, PreprocessOptions preprocess, int cropSize)
    {
        var folder = Directory.CreateTempSubdirectory("segan-bench-case-");
        var phantom = PhantomGenerator.Generate(new PhantomOptions(Size: side), 0);
        var geometry = ImageGeometry.FromSpacing([side, side, depth], [1, 1, 1]);
        var z0 = (side - depth) / 2;
        var plane = side * side;
        var files = new List<string>();
        foreach (var (name, volume) in new[] { ("t1ce", phantom.T1c), ("t2", phantom.T2), ("flair", phantom.Flair) })
        {
            var data = volume.Data.AsSpan(z0 * plane, depth * plane).ToArray();
            var path = Path.Combine(folder.FullName, $"case_{name}.nii.gz");
            NiftiFile.Write(path, new Volume(data, geometry), NiftiDataType.Int16);
            files.Add(path);
        }

        return new CaseProbe(folder, [.. files]) { Preprocess = preprocess, CropSize = cropSize, Shape = $"{side}x{side}x{depth}" };
    }

    /// <summary>Segments the case with <paramref name="engine"/>, <paramref name="batch"/> slices per call.</summary>
    public CaseResult Run(string modelPath, EngineKind engine, int threads, int batch, bool parallelRead, bool bfloat16 = false)
    {
        GC.Collect();
        ProcessMemory.ResetPeak();
        var watch = Stopwatch.StartNew();
        using var model = EngineFactory.Open(modelPath, engine, Compute.DeviceSpec.Cpu, threads, bfloat16);
        var open = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var files = CaseFiles.FromFiles(_modalities, _files);
        var volumes = parallelRead
            ? new CaseVolumes(files, ReadParallel(files.ModalityFiles), null)
            : CaseLoader.Load(files);
        var read = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var prepared = Preprocessor.Prepare(volumes, Preprocess, LabelConvention.Brats2021);
        var preprocess = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var (probabilities, predicted) = Segment(model, prepared, batch);
        var segment = watch.Elapsed.TotalSeconds;

        watch.Restart();
        var full = SliceCrop.PasteCentre(probabilities, prepared.Depth, 3, CropSize, prepared.Height, prepared.Width);
        var regions = new byte[full.Length];
        for (var i = 0; i < full.Length; i++)
        {
            regions[i] = full[i] > 0.5f ? (byte)1 : (byte)0;
        }

        var labels = prepared.RestoreLabels(regions);
        var restore = watch.Elapsed.TotalSeconds;

        watch.Restart();
        NiftiFile.Write(Path.Combine(_folder.FullName, "case_pred.nii.gz"), labels, NiftiDataType.UInt8);
        var write = watch.Elapsed.TotalSeconds;
        return new CaseResult(
            model.Name + (bfloat16 ? "-bf16" : "") + (parallelRead ? "" : " (sequential read)"), Shape, predicted, open, read, preprocess, segment, restore, write, read + preprocess + segment + restore + write, ProcessMemory.PeakMiB());
    }

    public void Dispose() => _folder.Delete(recursive: true);

    /// <summary>The centred crops of the case's slices that hold brain, preprocessed: (n, 3, crop, crop) and n.</summary>
    public (float[] Images, int Count) BrainSlices()
    {
        var prepared = Preprocessor.Prepare(CaseLoader.Load(CaseFiles.FromFiles(_modalities, _files)), Preprocess, LabelConvention.Brats2021);
        var crops = SliceCrop.CentreImages(prepared, CropSize);
        var size = prepared.Channels * CropSize * CropSize;
        var slices = Enumerable.Range(0, prepared.Depth).Where(z => prepared.SliceHasBrain[z]).ToArray();
        var images = new float[slices.Length * size];
        for (var i = 0; i < slices.Length; i++)
        {
            crops.AsSpan(slices[i] * size, size).CopyTo(images.AsSpan(i * size));
        }

        return (images, slices.Length);
    }

    private static List<Volume> ReadParallel(IReadOnlyList<string> paths)
    {
        var volumes = new Volume[paths.Count];
        Parallel.For(0, paths.Count, i => volumes[i] = ImageFile.Read(paths[i]));
        return [.. volumes];
    }

    /// <summary>(Z, 3, crop, crop) probabilities; slices without brain are left at 0 and not predicted.</summary>
    private (float[] Probabilities, int Predicted) Segment(ISegmentationEngine model, PreparedCase prepared, int batch)
    {
        var crops = SliceCrop.CentreImages(prepared, CropSize);
        int c = prepared.Channels, plane = CropSize * CropSize;
        var output = new float[prepared.Depth * 3 * plane];
        var slices = Enumerable.Range(0, prepared.Depth).Where(z => prepared.SliceHasBrain[z]).ToArray();
        for (var start = 0; start < slices.Length; start += batch)
        {
            var n = Math.Min(batch, slices.Length - start);
            var input = new float[n * c * plane];
            for (var i = 0; i < n; i++)
            {
                crops.AsSpan(slices[start + i] * c * plane, c * plane).CopyTo(input.AsSpan(i * c * plane));
            }

            var result = model.PredictRegions(input, n, c, CropSize, CropSize);
            for (var i = 0; i < n; i++)
            {
                result.AsSpan(i * 3 * plane, 3 * plane).CopyTo(output.AsSpan(slices[start + i] * 3 * plane));
            }
        }

        return (output, slices.Length);
    }
}
