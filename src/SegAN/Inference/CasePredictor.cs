using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Inference;

/// <summary>One case segmented: its label map and, when asked for, one probability map per region, in the input's geometry.</summary>
public sealed record CaseSegmentation(string Name, Volume Labels, IReadOnlyList<Volume>? Probabilities)
{
    /// <summary>Warnings from reading the case (non-finite voxels counted as background), each naming its file.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Segments whole cases the way the model was trained: the same preprocessing, then every axial slice of the
/// prepared grid segmented in batches (the whole slice, padded to the network's size multiple, by default; or the
/// paper's centred crop), slices restacked into the grid, restored into the input's full geometry and turned from
/// regions (WT, TC, ET) back into the dataset's label convention.
/// </summary>
public sealed class CasePredictor
{
    private readonly ISegmentationEngine _engine;
    private readonly InferenceRecipe _recipe;
    private readonly PredictOptions _options;

    /// <summary>A predictor running <paramref name="engine"/> with the model's <paramref name="recipe"/>; refuses a slice size the network cannot take.</summary>
    public CasePredictor(ISegmentationEngine engine, InferenceRecipe recipe, PredictOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(recipe);
        _engine = engine;
        _recipe = recipe;
        _options = options.Validate();
        if (recipe.SliceSize % engine.Model.SizeMultiple != 0)
        {
            throw new SegANException($"{engine.Model.Path}: slice size {recipe.SliceSize} is not a multiple of {engine.Model.SizeMultiple}, as the network needs");
        }
    }

    /// <summary>The label convention of the maps this predictor writes.</summary>
    public LabelConvention Labels => _recipe.Labels;

    /// <summary>Reads, checks and segments one case (its segmentation file, if any, is ignored).</summary>
    public CaseSegmentation Segment(CaseFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _engine.Model.Header.EnsureModalities(files.Modalities, _engine.Model.Path);
        var volumes = CaseLoader.Load(files with { SegFile = null });
        return Segment(volumes) with { Warnings = volumes.Warnings };
    }

    /// <summary>Segments one case already in memory (its label map, if any, is ignored).</summary>
    public CaseSegmentation Segment(CaseVolumes input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var unlabelled = input.Segmentation is null ? input : new CaseVolumes(input.Files with { SegFile = null }, input.Modalities, null);
        var prepared = Preprocessor.Prepare(unlabelled, _recipe.Preprocess, _recipe.Labels);
        var grid = RegionProbabilities(prepared);
        return ToCaseSegmentation(prepared, grid);
    }

    /// <summary>
    /// Region probabilities on the prepared grid, (Z, 3, H, W): the window (<see cref="PredictOptions.Window"/>) of
    /// every slice holding brain is segmented (mirrored too with flip TTA), the rest of the grid is 0, and so is
    /// every voxel without signal (see <see cref="MaskBackground"/>).
    /// </summary>
    public float[] RegionProbabilities(PreparedCase prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var (height, width) = SliceCrop.WindowShape(prepared, _options.Window, _recipe.SliceSize, _engine.Model.SizeMultiple);
        var channels = prepared.Channels;
        var crops = SliceCrop.WindowImages(prepared, height, width);
        var inPlane = channels * height * width;
        var outPlane = SliceBatch.RegionCount * height * width;
        var probabilities = new float[prepared.Depth * outPlane];

        // Slices without brain are background by definition: no need to run the network on them.
        var slices = Enumerable.Range(0, prepared.Depth).Where(z => prepared.SliceHasBrain[z]).ToArray();
        for (var start = 0; start < slices.Length; start += _options.BatchSize)
        {
            var n = Math.Min(_options.BatchSize, slices.Length - start);
            var batch = new float[n * inPlane];
            for (var i = 0; i < n; i++)
            {
                Array.Copy(crops, slices[start + i] * inPlane, batch, i * inPlane, inPlane);
            }

            var output = _engine.PredictRegions(batch, n, channels, height, width);
            if (_options.FlipTta)
            {
                FlipX(batch, n * channels, height, width);
                var mirrored = _engine.PredictRegions(batch, n, channels, height, width);
                FlipX(mirrored, n * SliceBatch.RegionCount, height, width);
                for (var i = 0; i < output.Length; i++)
                {
                    output[i] = 0.5f * (output[i] + mirrored[i]);
                }
            }

            for (var i = 0; i < n; i++)
            {
                Array.Copy(output, i * outPlane, probabilities, slices[start + i] * outPlane, outPlane);
            }
        }

        var grid = SliceCrop.Window(probabilities, prepared.Depth * SliceBatch.RegionCount, height, width, prepared.Height, prepared.Width);
        MaskBackground(grid, prepared);
        return grid;
    }

    /// <summary>
    /// Sets the region probabilities (Z, 3, H, W) to 0 wherever no channel has signal. The critic sees the image
    /// multiplied by the label map, so the multi-scale L1 loss is blind where the image is 0 (air, or outside a
    /// skull-stripped brain): without the Dice term, a segmentor is free to mark tumour there, and does. No tumour
    /// lies where the scan has no signal, so this removes only impossible voxels; validation does the same.
    /// </summary>
    internal static void MaskBackground(float[] grid, PreparedCase prepared)
    {
        var foreground = prepared.Foreground();
        var plane = prepared.SliceSize;
        for (var z = 0; z < prepared.Depth; z++)
        {
            var inside = foreground.AsSpan(z * plane, plane);
            for (var r = 0; r < SliceBatch.RegionCount; r++)
            {
                var map = grid.AsSpan(((z * SliceBatch.RegionCount) + r) * plane, plane);
                for (var i = 0; i < plane; i++)
                {
                    if (!inside[i])
                    {
                        map[i] = 0;
                    }
                }
            }
        }
    }

    private CaseSegmentation ToCaseSegmentation(PreparedCase prepared, float[] grid)
    {
        var plane = prepared.SliceSize;
        var depth = prepared.Depth;
        var threshold = (float)_options.Threshold;
        var regions = new byte[grid.Length];
        for (var i = 0; i < grid.Length; i++)
        {
            regions[i] = grid[i] > threshold ? (byte)1 : (byte)0;
        }

        if (_options.LargestComponent)
        {
            var mask = new byte[depth * plane];
            for (var r = 0; r < SliceBatch.RegionCount; r++)
            {
                CopyRegion(regions, mask, r, depth, plane, toRegionMap: false);
                ConnectedComponents.KeepLargest(mask, prepared.Width, prepared.Height, depth);
                CopyRegion(regions, mask, r, depth, plane, toRegionMap: true);
            }
        }

        var labels = prepared.RestoreLabels(regions);
        List<Volume>? probabilities = null;
        if (_options.Probabilities)
        {
            probabilities = [];
            var map = new float[depth * plane];
            for (var r = 0; r < SliceBatch.RegionCount; r++)
            {
                for (var z = 0; z < depth; z++)
                {
                    Array.Copy(grid, ((z * SliceBatch.RegionCount) + r) * plane, map, z * plane, plane);
                }

                probabilities.Add(prepared.Restore(map));
            }
        }

        return new CaseSegmentation(prepared.Name, labels, probabilities);
    }

    private static void CopyRegion(byte[] regions, byte[] mask, int region, int depth, int plane, bool toRegionMap)
    {
        for (var z = 0; z < depth; z++)
        {
            var offset = ((z * SliceBatch.RegionCount) + region) * plane;
            if (toRegionMap)
            {
                Array.Copy(mask, z * plane, regions, offset, plane);
            }
            else
            {
                Array.Copy(regions, offset, mask, z * plane, plane);
            }
        }
    }

    /// <summary>Mirrors <paramref name="planes"/> planes of (height x width) left-right, in place.</summary>
    internal static void FlipX(float[] data, int planes, int height, int width)
    {
        for (var p = 0; p < planes; p++)
        {
            for (var y = 0; y < height; y++)
            {
                Array.Reverse(data, ((p * height) + y) * width, width);
            }
        }
    }
}
