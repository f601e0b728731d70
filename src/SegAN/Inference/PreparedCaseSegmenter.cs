using SegAN.Data;

namespace SegAN.Inference;

/// <summary>
/// The slice-level part of prediction, on a case already prepared: every axial slice holding brain is cut to the
/// window (<see cref="PredictOptions.Window"/>), segmented in batches by the engine (mirrored too with flip TTA),
/// restacked into the prepared grid, kept only where the image has signal, thresholded, optionally reduced to each
/// region's largest component, and nested (ET within TC within WT). <see cref="CasePredictor"/> runs it between
/// preprocessing and restoring the input's geometry; training's validation runs it on its in-memory cases, so that
/// validation scores what <c>segan predict</c> writes.
/// </summary>
public sealed class PreparedCaseSegmenter
{
    private readonly ISegmentationEngine _engine;
    private readonly int? _centreSize;
    private readonly PredictOptions _options;

    /// <param name="engine">The network, as an engine (a model file, or a network still in training).</param>
    /// <param name="options">Batch size, window, threshold, TTA and largest-component options.</param>
    /// <param name="centreSize">
    /// Side of the centred crop for <see cref="SliceWindow.Centre"/> (the model's slice size); the whole-slice window
    /// needs none. It must be a multiple of the network's <see cref="SegmentationModelInfo.SizeMultiple"/>.
    /// </param>
    public PreparedCaseSegmenter(ISegmentationEngine engine, PredictOptions options, int? centreSize = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        _options = options.Validate();
        if (centreSize is { } size && (size < 1 || size % engine.Model.SizeMultiple != 0))
        {
            throw new SegANException($"{engine.Model.Path}: slice size {size} is not a multiple of {engine.Model.SizeMultiple}, as the network needs");
        }

        if (centreSize is null && options.Window == SliceWindow.Centre)
        {
            throw new ArgumentException("the centre window needs the model's slice size", nameof(centreSize));
        }

        _centreSize = centreSize;
    }

    /// <summary>The options this segmenter applies.</summary>
    public PredictOptions Options => _options;

    /// <summary>
    /// Region probabilities on the prepared grid, (Z, 3, H, W): the window of every slice holding brain is segmented
    /// (mirrored too with flip TTA), the rest of the grid is 0, and so is every voxel without signal (see
    /// <see cref="MaskBackground"/>).
    /// </summary>
    public float[] RegionProbabilities(PreparedCase prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var (height, width) = SliceCrop.WindowShape(prepared, _options.Window, _centreSize ?? 0, _engine.Model.SizeMultiple);
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
    /// The predicted regions on the prepared grid, (Z, 3, H, W) 0/1 (WT, TC, ET): what <see cref="CasePredictor"/>
    /// numbers into the label map it writes.
    /// </summary>
    public byte[] Regions(PreparedCase prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return Regions(RegionProbabilities(prepared), prepared);
    }

    /// <summary>
    /// <paramref name="probabilities"/> (from <see cref="RegionProbabilities"/>) as regions: above the threshold,
    /// each region reduced to its largest component when asked, then nested by union (ET within TC within WT), as
    /// <see cref="BratsLabels.ToLabel"/> numbers them, so the regions are exactly those of the label map.
    /// </summary>
    public byte[] Regions(float[] probabilities, PreparedCase prepared)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(prepared);
        var plane = prepared.SliceSize;
        var depth = prepared.Depth;
        if (probabilities.Length != depth * SliceBatch.RegionCount * plane)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities are not (Z, 3, H, W) = ({depth}, 3, {prepared.Height}, {prepared.Width})", nameof(probabilities));
        }

        var threshold = (float)_options.Threshold;
        var regions = new byte[probabilities.Length];
        for (var i = 0; i < probabilities.Length; i++)
        {
            regions[i] = probabilities[i] > threshold ? (byte)1 : (byte)0;
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

        Nest(regions, depth, plane);
        return regions;
    }

    /// <summary>
    /// Sets the region probabilities (Z, 3, H, W) to 0 wherever no channel has signal. The critic sees the image
    /// multiplied by the label map, so the multi-scale L1 loss is blind where the image is 0 (air, or outside a
    /// skull-stripped brain): without the Dice term, a segmentor is free to mark tumour there, and does. No tumour
    /// lies where the scan has no signal, so this removes only impossible voxels.
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

    /// <summary>Makes region maps (Z, 3, plane) nested in place: TC |= ET, then WT |= TC.</summary>
    internal static void Nest(byte[] regions, int depth, int plane)
    {
        for (var z = 0; z < depth; z++)
        {
            var wt = regions.AsSpan(z * SliceBatch.RegionCount * plane, plane);
            var tc = regions.AsSpan(((z * SliceBatch.RegionCount) + 1) * plane, plane);
            var et = regions.AsSpan(((z * SliceBatch.RegionCount) + 2) * plane, plane);
            for (var i = 0; i < plane; i++)
            {
                tc[i] |= et[i];
                wt[i] |= tc[i];
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
}
