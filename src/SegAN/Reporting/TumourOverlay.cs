using SegAN.Imaging;

namespace SegAN.Reporting;

/// <summary>
/// Axial slices of an MR image with the tumour regions painted over it as in the paper's Fig. 3: whole tumour
/// yellow, tumour core blue, enhancing tumour red (each filled half-transparent, drawn in that order, with an
/// opaque outline). Slices are shown in radiological convention: the patient's anterior at the top and their
/// right on the viewer's left, read from the signs of the affine's diagonal.
/// </summary>
internal static class TumourOverlay
{
    private const double FillOpacity = 0.45;

    /// <summary>The axial slice (z) where <paramref name="mask"/> has the most voxels; the middle slice when it is empty.</summary>
    public static int LargestSlice(ReadOnlySpan<bool> mask, int[] shape)
    {
        var areas = SliceAreas(mask, shape);
        var best = shape[2] / 2;
        var bestArea = 0L;
        for (var z = 0; z < areas.Length; z++)
        {
            if (areas[z] > bestArea)
            {
                (best, bestArea) = (z, areas[z]);
            }
        }

        return best;
    }

    /// <summary>
    /// Up to <paramref name="count"/> distinct slices through the tumour: the largest-area slice first, then slices
    /// spread between the lowest and highest tumour slice. Only the middle slice when the mask is empty.
    /// </summary>
    public static IReadOnlyList<int> PickSlices(ReadOnlySpan<bool> mask, int[] shape, int count = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var areas = SliceAreas(mask, shape);
        var occupied = Enumerable.Range(0, areas.Length).Where(z => areas[z] > 0).ToList();
        var largest = LargestSlice(mask, shape);
        var result = new List<int> { largest };
        if (occupied.Count == 0)
        {
            return result;
        }

        for (var k = 1; k <= count && result.Count < count; k++)
        {
            // Quarter points of the tumour's extent, away from its thin caps.
            var z = occupied[(int)Math.Round((occupied.Count - 1) * k / (double)(count + 1))];
            if (!result.Contains(z))
            {
                result.Add(z);
            }
        }

        return result;
    }

    /// <summary>The axial slice <paramref name="z"/> in greyscale (1st to 99th percentile of the slice's non-zero voxels), with <paramref name="masks"/> painted over it when given.</summary>
    public static RgbImage RenderSlice(Volume image, int z, TumourMasks? masks, int scale = 2)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        if (z < 0 || z >= image.Nz)
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, $"slice must be in 0..{image.Nz - 1}");
        }

        if (masks is not null)
        {
            foreach (var (name, mask) in new[] { ("WholeTumour", masks.WholeTumour), ("TumourCore", masks.TumourCore), ("EnhancingTumour", masks.EnhancingTumour) })
            {
                if (mask.Length != image.Data.Length)
                {
                    throw new ArgumentException($"{name} has {mask.Length} voxels but the image has {image.Data.Length}", nameof(masks));
                }
            }
        }

        int nx = image.Nx, ny = image.Ny;
        var (low, high) = Window(image, z);
        var flipX = image.Geometry.Affine[0, 0] > 0; // +x is the patient's right: show it on the left
        var flipY = image.Geometry.Affine[1, 1] > 0; // +y is anterior: show it at the top
        var picture = new RgbImage(nx * scale, ny * scale, Rgb.Black);
        var layers = masks is null
            ? []
            : new[] { (masks.WholeTumour, Rgb.Yellow), (masks.TumourCore, Rgb.Blue), (masks.EnhancingTumour, Rgb.Red) };
        for (var row = 0; row < ny; row++)
        {
            var y = flipY ? ny - 1 - row : row;
            for (var column = 0; column < nx; column++)
            {
                var x = flipX ? nx - 1 - column : column;
                var index = image.Index(x, y, z);
                var grey = (byte)Math.Clamp(Math.Round((image.Data[index] - low) / (high - low) * 255), 0, 255);
                var colour = new Rgb(grey, grey, grey);
                foreach (var (mask, layerColour) in layers)
                {
                    if (!mask[index])
                    {
                        continue;
                    }

                    var edge = x == 0 || y == 0 || x == nx - 1 || y == ny - 1
                        || !mask[image.Index(x - 1, y, z)] || !mask[image.Index(x + 1, y, z)]
                        || !mask[image.Index(x, y - 1, z)] || !mask[image.Index(x, y + 1, z)];
                    colour = edge ? layerColour : colour.Mix(layerColour, FillOpacity);
                }

                picture.FillRectangle(column * scale, row * scale, scale, scale, colour);
            }
        }

        return picture;
    }

    /// <summary>
    /// Three panels side by side with captions: the image alone, the truth painted over it and the prediction
    /// painted over it, for slice <paramref name="z"/>; a title line above and a colour key below.
    /// </summary>
    public static RgbImage RenderComparison(Volume image, int z, TumourMasks truth, TumourMasks prediction, string title, int scale = 2)
    {
        ArgumentNullException.ThrowIfNull(title);
        var panels = new[]
        {
            ("image", RenderSlice(image, z, null, scale)),
            ("truth", RenderSlice(image, z, truth, scale)),
            ("prediction", RenderSlice(image, z, prediction, scale)),
        };
        const int gap = 6;
        var large = BitmapFont.Large;
        var small = BitmapFont.Small;
        var panelWidth = panels[0].Item2.Width;
        var panelHeight = panels[0].Item2.Height;
        var top = large.Height + small.Height + 10;
        var width = Math.Max((3 * panelWidth) + (4 * gap), large.Measure(title) + (2 * gap));
        var height = top + panelHeight + small.Height + 14;
        var picture = new RgbImage(width, height, Rgb.White);
        picture.DrawText(gap, 3, title, Rgb.Black, large);
        for (var i = 0; i < panels.Length; i++)
        {
            var x = gap + (i * (panelWidth + gap));
            picture.DrawText(x + ((panelWidth - small.Measure(panels[i].Item1)) / 2), large.Height + 6, panels[i].Item1, Rgb.Black);
            picture.Paste(panels[i].Item2, x, top);
        }

        var keyX = gap;
        var keyY = top + panelHeight + 6;
        foreach (var (name, colour) in new[] { ("whole tumour", Rgb.Yellow), ("tumour core", Rgb.Blue), ("enhancing tumour", Rgb.Red) })
        {
            picture.FillRectangle(keyX, keyY + 2, 14, small.Height - 4, colour);
            picture.DrawText(keyX + 18, keyY, name, Rgb.Black);
            keyX += 18 + small.Measure(name) + 16;
        }

        return picture;
    }

    private static long[] SliceAreas(ReadOnlySpan<bool> mask, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length != 3 || (long)shape[0] * shape[1] * shape[2] != mask.Length)
        {
            throw new ArgumentException($"mask has {mask.Length} voxels, which does not match shape {string.Join("x", shape)}", nameof(shape));
        }

        var plane = shape[0] * shape[1];
        var areas = new long[shape[2]];
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i])
            {
                areas[i / plane]++;
            }
        }

        return areas;
    }

    // Percentiles of the slice's non-zero voxels: robust to hot spots, and the zero background outside the brain
    // does not flatten the contrast.
    private static (double Low, double High) Window(Volume image, int z)
    {
        var plane = image.Nx * image.Ny;
        var values = image.Data.AsSpan(z * plane, plane).ToArray().Where(v => v != 0 && float.IsFinite(v)).ToArray();
        if (values.Length == 0)
        {
            return (0, 1);
        }

        Array.Sort(values);
        var low = values[(int)((values.Length - 1) * 0.01)];
        var high = values[(int)((values.Length - 1) * 0.99)];
        return high > low ? (low, high) : (low - 0.5, low + 0.5);
    }
}
