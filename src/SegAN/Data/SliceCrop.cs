namespace SegAN.Data;

/// <summary>
/// Square crops of prepared axial slices. Training takes random crops (<see cref="SliceSampler"/>); validation and
/// test take the centred crop of every slice (the paper: 160 x 160 out of 180 x 180) and paste predictions back.
/// </summary>
public static class SliceCrop
{
    /// <summary>The paper's crop side (pixels).</summary>
    public const int PaperSize = 160;

    /// <summary>Offset of a centred crop of <paramref name="size"/> in <paramref name="full"/>: (full - size) / 2, rounded down.</summary>
    public static int CentreOffset(int full, int size) => (full - size) / 2;

    /// <summary>Centred crops of every slice's images: (Z, C, size, size) row-major.</summary>
    public static float[] CentreImages(PreparedCase prepared, int size = PaperSize)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        CheckSize(prepared, size);
        var result = new float[prepared.Depth * prepared.Channels * size * size];
        for (var z = 0; z < prepared.Depth; z++)
        {
            CopyCrop(prepared.Image, prepared, z, prepared.Channels, CentreOffset(prepared.Height, size), CentreOffset(prepared.Width, size), size, false, false, result, z);
        }

        return result;
    }

    /// <summary>Centred crops of every slice's region maps (WT, TC, ET as 0/1): (Z, 3, size, size) row-major.</summary>
    public static float[] CentreTargets(PreparedCase prepared, int size = PaperSize)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        CheckSize(prepared, size);
        var regions = prepared.Regions ?? throw new SegANException($"case {prepared.Name} has no segmentation");
        var result = new float[prepared.Depth * SliceBatch.RegionCount * size * size];
        for (var z = 0; z < prepared.Depth; z++)
        {
            CopyCrop(regions, prepared, z, SliceBatch.RegionCount, CentreOffset(prepared.Height, size), CentreOffset(prepared.Width, size), size, false, false, result, z);
        }

        return result;
    }

    /// <summary>
    /// Centred crops of slices [start, start + count) as a batch; targets are the region maps, or zeros when the
    /// case has no labels.
    /// </summary>
    public static SliceBatch CentreBatch(PreparedCase prepared, int start, int count, int size = PaperSize)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        CheckSize(prepared, size);
        if (start < 0 || count < 1 || start + count > prepared.Depth)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"slices [{start}, {start + count}) are outside 0..{prepared.Depth}");
        }

        var plane = size * size;
        var images = new float[count * prepared.Channels * plane];
        var targets = new float[count * SliceBatch.RegionCount * plane];
        int oy = CentreOffset(prepared.Height, size), ox = CentreOffset(prepared.Width, size);
        for (var i = 0; i < count; i++)
        {
            CopyCrop(prepared.Image, prepared, start + i, prepared.Channels, oy, ox, size, false, false, images, i);
            if (prepared.Regions is not null)
            {
                CopyCrop(prepared.Regions, prepared, start + i, SliceBatch.RegionCount, oy, ox, size, false, false, targets, i);
            }
        }

        return new SliceBatch(images, targets, count, prepared.Channels, size, size);
    }

    /// <summary>
    /// The inverse of the centred crop: maps (Z, K, size, size) back into (Z, K, height, width), 0 outside the crop.
    /// </summary>
    public static float[] PasteCentre(ReadOnlySpan<float> crops, int depth, int channels, int size, int height, int width)
    {
        if (crops.Length != depth * channels * size * size)
        {
            throw new ArgumentException($"crops have {crops.Length} values; ({depth}, {channels}, {size}, {size}) needs {depth * channels * size * size}", nameof(crops));
        }

        if (size > height || size > width)
        {
            throw new ArgumentException($"crop {size} is larger than the slice {height}x{width}", nameof(size));
        }

        int oy = CentreOffset(height, size), ox = CentreOffset(width, size);
        var result = new float[depth * channels * height * width];
        for (var plane = 0; plane < depth * channels; plane++)
        {
            for (var y = 0; y < size; y++)
            {
                crops.Slice((plane * size * size) + (y * size), size)
                    .CopyTo(result.AsSpan((plane * height * width) + ((oy + y) * width) + ox, size));
            }
        }

        return result;
    }

    /// <summary>
    /// Copies the (channels, size, size) crop at (oy, ox) of slice <paramref name="z"/> of a (Z, channels, H, W)
    /// array into item <paramref name="item"/> of a (N, channels, size, size) array, optionally flipped.
    /// </summary>
    internal static void CopyCrop(float[] source, PreparedCase prepared, int z, int channels, int oy, int ox, int size, bool flipX, bool flipY, float[] destination, int item)
    {
        int h = prepared.Height, w = prepared.Width;
        for (var c = 0; c < channels; c++)
        {
            var srcPlane = ((z * channels) + c) * h * w;
            var dstPlane = ((item * channels) + c) * size * size;
            for (var y = 0; y < size; y++)
            {
                var row = destination.AsSpan(dstPlane + (y * size), size);
                source.AsSpan(srcPlane + ((oy + (flipY ? size - 1 - y : y)) * w) + ox, size).CopyTo(row);
                if (flipX)
                {
                    row.Reverse();
                }
            }
        }
    }

    /// <summary>The byte-map (region) version of <see cref="CopyCrop(float[], PreparedCase, int, int, int, int, int, bool, bool, float[], int)"/>.</summary>
    internal static void CopyCrop(byte[] source, PreparedCase prepared, int z, int channels, int oy, int ox, int size, bool flipX, bool flipY, float[] destination, int item)
    {
        int h = prepared.Height, w = prepared.Width;
        for (var c = 0; c < channels; c++)
        {
            var srcPlane = ((z * channels) + c) * h * w;
            var dstPlane = ((item * channels) + c) * size * size;
            for (var y = 0; y < size; y++)
            {
                var row = destination.AsSpan(dstPlane + (y * size), size);
                var src = source.AsSpan(srcPlane + ((oy + (flipY ? size - 1 - y : y)) * w) + ox, size);
                for (var x = 0; x < size; x++)
                {
                    row[x] = src[x];
                }

                if (flipX)
                {
                    row.Reverse();
                }
            }
        }
    }

    private static void CheckSize(PreparedCase prepared, int size)
    {
        if (size < 1 || size > prepared.Height || size > prepared.Width)
        {
            throw new SegANException($"crop size {size} does not fit the prepared slices of {prepared.Height}x{prepared.Width}");
        }
    }
}
