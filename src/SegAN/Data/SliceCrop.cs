namespace SegAN.Data;

/// <summary>How prediction and validation cut the prepared axial slices for the network.</summary>
public enum SliceWindow
{
    /// <summary>
    /// The whole prepared slice, zero-padded (centred) to the next multiple of the network's size multiple
    /// (180 x 180 becomes 192 x 192): tumour anywhere in the grid is segmented. The default.
    /// </summary>
    Whole,

    /// <summary>The paper's centred square crop of the slice size (160 x 160 out of 180 x 180); the rest is background.</summary>
    Centre,
}

/// <summary>Names of <see cref="SliceWindow"/> values on the command line.</summary>
public static class SliceWindows
{
    /// <summary><c>whole</c> or <c>centre</c> (also <c>center</c>), case-insensitive.</summary>
    public static SliceWindow Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "whole" => SliceWindow.Whole,
        "centre" or "center" => SliceWindow.Centre,
        _ => throw new SegANException($"slice window '{name}' is not whole or centre"),
    };

    /// <summary>The command-line name: <c>whole</c> or <c>centre</c>.</summary>
    public static string Name(this SliceWindow window) => window == SliceWindow.Centre ? "centre" : "whole";
}

/// <summary>
/// Crops and windows of prepared axial slices. Training takes random square crops (<see cref="SliceSampler"/>);
/// validation and prediction take the same centred window of every slice (<see cref="SliceWindow"/>: the whole
/// padded slice by default, or the paper's 160 x 160 centred crop) and paste predictions back.
/// </summary>
public static class SliceCrop
{
    /// <summary>The paper's crop side (pixels).</summary>
    public const int PaperSize = 160;

    /// <summary>
    /// Offset of a centred window of <paramref name="size"/> in <paramref name="full"/>: (full - size) / 2, rounded
    /// toward zero, so negative (padding) when the window is larger, and the offset back is exactly its negative.
    /// </summary>
    public static int CentreOffset(int full, int size) => (full - size) / 2;

    /// <summary><paramref name="side"/> rounded up to a multiple of <paramref name="multiple"/>: the whole-slice window's side.</summary>
    public static int PaddedSide(int side, int multiple)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(multiple, 1);
        return checked((side + multiple - 1) / multiple * multiple);
    }

    /// <summary>
    /// The window (height, width) that <paramref name="window"/> cuts from <paramref name="prepared"/>'s slices:
    /// the padded whole slice for a network whose input sides must be multiples of <paramref name="multiple"/>,
    /// or the centred square of <paramref name="sliceSize"/>.
    /// </summary>
    public static (int Height, int Width) WindowShape(PreparedCase prepared, SliceWindow window, int sliceSize, int multiple)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return window == SliceWindow.Whole
            ? (PaddedSide(prepared.Height, multiple), PaddedSide(prepared.Width, multiple))
            : (sliceSize, sliceSize);
    }

    /// <summary>
    /// The centred (height x width) window of each of <paramref name="planes"/> planes of (sourceHeight x
    /// sourceWidth): cropped where the window is smaller, zero-padded where it is larger. Windowing the result back
    /// to the source shape restores every value inside both shapes (and 0 elsewhere).
    /// </summary>
    public static float[] Window(ReadOnlySpan<float> source, int planes, int sourceHeight, int sourceWidth, int height, int width)
    {
        long expected = (long)planes * sourceHeight * sourceWidth;
        if (source.Length != expected || height < 1 || width < 1)
        {
            throw new ArgumentException($"{source.Length} values cannot be {planes} planes of {sourceHeight}x{sourceWidth} windowed to {height}x{width}", nameof(source));
        }

        int oy = CentreOffset(sourceHeight, height), ox = CentreOffset(sourceWidth, width);
        int y0 = Math.Max(0, -oy), y1 = Math.Min(height, sourceHeight - oy);
        int x0 = Math.Max(0, -ox), x1 = Math.Min(width, sourceWidth - ox);
        var result = new float[checked(planes * height * width)];
        for (var p = 0; p < planes; p++)
        {
            for (var y = y0; y < y1; y++)
            {
                source.Slice((((p * sourceHeight) + y + oy) * sourceWidth) + x0 + ox, x1 - x0)
                    .CopyTo(result.AsSpan((((p * height) + y) * width) + x0, x1 - x0));
            }
        }

        return result;
    }

    /// <summary>Every slice's images in the centred (height x width) window: (Z, C, height, width) row-major.</summary>
    public static float[] WindowImages(PreparedCase prepared, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return Window(prepared.Image, prepared.Depth * prepared.Channels, prepared.Height, prepared.Width, height, width);
    }

    /// <summary>Every slice's region maps (WT, TC, ET as 0/1) in the centred (height x width) window: (Z, 3, height, width).</summary>
    public static float[] WindowTargets(PreparedCase prepared, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var regions = prepared.Regions ?? throw new SegANException($"case {prepared.Name} has no segmentation");
        var values = new float[regions.Length];
        for (var i = 0; i < regions.Length; i++)
        {
            values[i] = regions[i];
        }

        return Window(values, prepared.Depth * SliceBatch.RegionCount, prepared.Height, prepared.Width, height, width);
    }

    /// <summary>Centred crops of every slice's images: (Z, C, size, size) row-major.</summary>
    public static float[] CentreImages(PreparedCase prepared, int size = PaperSize)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        CheckSize(prepared, size);
        return WindowImages(prepared, size, size);
    }

    /// <summary>Centred crops of every slice's region maps (WT, TC, ET as 0/1): (Z, 3, size, size) row-major.</summary>
    public static float[] CentreTargets(PreparedCase prepared, int size = PaperSize)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        CheckSize(prepared, size);
        return WindowTargets(prepared, size, size);
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
            CopyCrop(prepared.Image, prepared, start + i, prepared.Channels, oy, ox, size, false, images, i);
            if (prepared.Regions is not null)
            {
                CopyCrop(prepared.Regions, prepared, start + i, SliceBatch.RegionCount, oy, ox, size, false, targets, i);
            }
        }

        return new SliceBatch(images, targets, count, prepared.Channels, size, size);
    }

    /// <summary>
    /// The inverse of the centred crop: maps (Z, K, size, size) back into (Z, K, height, width), 0 outside the crop.
    /// </summary>
    public static float[] PasteCentre(ReadOnlySpan<float> crops, int depth, int channels, int size, int height, int width)
    {
        if (size > height || size > width)
        {
            throw new ArgumentException($"crop {size} is larger than the slice {height}x{width}", nameof(size));
        }

        return Window(crops, depth * channels, size, size, height, width);
    }

    /// <summary>
    /// Copies the (channels, size, size) crop at (oy, ox) of slice <paramref name="z"/> of a (Z, channels, H, W)
    /// array into item <paramref name="item"/> of a (N, channels, size, size) array, optionally flipped left-right.
    /// </summary>
    internal static void CopyCrop(float[] source, PreparedCase prepared, int z, int channels, int oy, int ox, int size, bool flipX, float[] destination, int item) =>
        CopyCrop(source, prepared, z, channels, oy, ox, size, flipX, destination, item, static (src, row) => src.CopyTo(row));

    /// <summary>The byte-map (region) version of <see cref="CopyCrop(float[], PreparedCase, int, int, int, int, int, bool, float[], int)"/>.</summary>
    internal static void CopyCrop(byte[] source, PreparedCase prepared, int z, int channels, int oy, int ox, int size, bool flipX, float[] destination, int item) =>
        CopyCrop(source, prepared, z, channels, oy, ox, size, flipX, destination, item, static (src, row) =>
        {
            for (var x = 0; x < row.Length; x++)
            {
                row[x] = src[x];
            }
        });

    /// <summary>Copies one row of a crop into the float destination: a plain copy for floats, a widening for bytes.</summary>
    private delegate void RowCopy<T>(ReadOnlySpan<T> source, Span<float> row);

    // The crop's addressing, once for both element types; the row copy is a delegate call per row, not per voxel.
    private static void CopyCrop<T>(T[] source, PreparedCase prepared, int z, int channels, int oy, int ox, int size, bool flipX, float[] destination, int item, RowCopy<T> copyRow)
    {
        int h = prepared.Height, w = prepared.Width;
        for (var c = 0; c < channels; c++)
        {
            var srcPlane = ((z * channels) + c) * h * w;
            var dstPlane = ((item * channels) + c) * size * size;
            for (var y = 0; y < size; y++)
            {
                var row = destination.AsSpan(dstPlane + (y * size), size);
                copyRow(source.AsSpan(srcPlane + ((oy + y) * w) + ox, size), row);
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
