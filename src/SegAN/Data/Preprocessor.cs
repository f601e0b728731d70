using SegAN.Metrics;

namespace SegAN.Data;

/// <summary>
/// Preprocessing, made explicit (the paper gives only its crop): per modality, the background is the most frequent
/// value on the volume's faces (not assumed to be 0: other pipelines leave negative or constant non-zero backgrounds);
/// brain voxels are those differing from the background in any modality; each modality is clipped at brain
/// percentiles (none by default) and z-scored over the brain, with background set to 0; then the volume is cropped
/// to the prepared grid, centred on the brain's bounding box and clamped to the volume (padded with 0 where the
/// volume is smaller).
/// </summary>
public static class Preprocessor
{
    /// <summary>Prepares <paramref name="input"/>; its label map, if any, must follow <paramref name="labels"/>.</summary>
    public static PreparedCase Prepare(CaseVolumes input, PreprocessOptions options, LabelConvention labels)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var shape = input.Geometry.Shape;
        var n = input.Modalities[0].Data.Length;
        var brain = new bool[n];
        foreach (var volume in input.Modalities)
        {
            var background = Background(volume.Data, shape);
            var data = volume.Data;
            for (var i = 0; i < n; i++)
            {
                brain[i] |= data[i] != background;
            }
        }

        var window = CropWindow.Centred(shape, [options.CropX, options.CropY, options.CropZ], BoundingBoxMin(brain, shape, out var max), max);
        var channels = input.Modalities.Count;
        var plane = options.CropX * options.CropY;
        var image = new float[options.CropZ * channels * plane];
        for (var c = 0; c < channels; c++)
        {
            var normalised = Normalise(input.Modalities[c].Data, brain, options.LowerPercentile, options.UpperPercentile);
            var cropped = window.Extract<float>(normalised);
            for (var z = 0; z < options.CropZ; z++)
            {
                cropped.AsSpan(z * plane, plane).CopyTo(image.AsSpan(((z * channels) + c) * plane, plane));
            }
        }

        var croppedBrain = window.Extract<bool>(brain);
        var sliceHasBrain = new bool[options.CropZ];
        for (var z = 0; z < options.CropZ; z++)
        {
            sliceHasBrain[z] = croppedBrain.AsSpan(z * plane, plane).Contains(true);
        }

        byte[]? regions = null;
        if (input.Segmentation is not null)
        {
            var all = BratsLabels.ToRegions(input.Segmentation.Data, labels, input.Files.SegFile ?? $"case {input.Files.Name} segmentation");
            regions = new byte[options.CropZ * 3 * plane];
            for (var r = 0; r < 3; r++)
            {
                var cropped = window.Extract<byte>(all.AsSpan(r * n, n));
                for (var z = 0; z < options.CropZ; z++)
                {
                    cropped.AsSpan(z * plane, plane).CopyTo(regions.AsSpan(((z * 3) + r) * plane, plane));
                }
            }
        }

        return new PreparedCase(
            input.Files.Name,
            input.Files.Group,
            input.Files.Modalities,
            options.CropZ,
            options.CropY,
            options.CropX,
            image,
            regions,
            sliceHasBrain,
            window,
            input.Geometry,
            labels);
    }

    /// <summary>
    /// The background intensity: the most frequent value among the voxels on the volume's six faces (the
    /// smallest such value on a tie).
    /// </summary>
    public static float Background(ReadOnlySpan<float> data, int[] shape)
    {
        int nx = shape[0], ny = shape[1], nz = shape[2];
        var border = new List<float>((2 * nx * ny) + (2 * ny * nz) + (2 * nx * nz));
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                var onFace = z == 0 || z == nz - 1 || y == 0 || y == ny - 1;
                var row = nx * (y + (ny * z));
                if (onFace)
                {
                    for (var x = 0; x < nx; x++)
                    {
                        border.Add(data[row + x]);
                    }
                }
                else
                {
                    border.Add(data[row]);
                    if (nx > 1)
                    {
                        border.Add(data[row + nx - 1]);
                    }
                }
            }
        }

        border.Sort();
        float best = border[0], current = border[0];
        int bestRun = 0, run = 0;
        foreach (var v in border)
        {
            run = v.Equals(current) ? run + 1 : 1;
            current = v;
            if (run > bestRun)
            {
                (best, bestRun) = (v, run);
            }
        }

        return best;
    }

    /// <summary>
    /// The percentile <paramref name="p"/> (0-100) of sorted values with linear interpolation between ranks
    /// (NumPy's default): rank p/100 x (n - 1).
    /// </summary>
    public static double Percentile(ReadOnlySpan<float> sorted, double p)
    {
        if (sorted.Length == 0)
        {
            throw new ArgumentException("no values", nameof(sorted));
        }

        var rank = p / 100.0 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((sorted[hi] - (double)sorted[lo]) * (rank - lo));
    }

    /// <summary>
    /// One modality clipped at its brain percentiles and z-scored over the brain (population standard deviation;
    /// 1 when the brain is constant), background 0.
    /// </summary>
    public static float[] Normalise(ReadOnlySpan<float> data, ReadOnlySpan<bool> brain, double lowerPercentile, double upperPercentile)
    {
        var values = new List<float>();
        for (var i = 0; i < data.Length; i++)
        {
            if (brain[i])
            {
                values.Add(data[i]);
            }
        }

        var result = new float[data.Length];
        if (values.Count == 0)
        {
            return result;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        var lo = Percentile(sorted, lowerPercentile);
        var hi = Percentile(sorted, upperPercentile);
        double sum = 0, sumSq = 0;
        foreach (var v in sorted)
        {
            var c = Math.Clamp(v, lo, hi);
            sum += c;
            sumSq += c * c;
        }

        var mean = sum / sorted.Length;
        var variance = Math.Max(0, (sumSq / sorted.Length) - (mean * mean));
        var std = variance > 1e-24 ? Math.Sqrt(variance) : 1.0;
        for (var i = 0; i < data.Length; i++)
        {
            result[i] = brain[i] ? (float)((Math.Clamp(data[i], lo, hi) - mean) / std) : 0f;
        }

        return result;
    }

    private static int[] BoundingBoxMin(bool[] mask, int[] shape, out int[] max)
    {
        if (MaskBounds.Of(mask, mask, shape) is { } box)
        {
            max = box.Hi;
            return box.Lo;
        }

        // No brain at all: centre on the volume.
        max = [shape[0] - 1, shape[1] - 1, shape[2] - 1];
        return [0, 0, 0];
    }
}
