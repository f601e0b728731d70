using System.Globalization;
using SegAN.Imaging;

namespace SegAN.Data;

/// <summary>
/// The policy for NaN and infinite voxels in an image, applied wherever a case is read (<c>dataset --check</c>,
/// training, validation and prediction alike): they count as background. Each is replaced by the image's
/// background value (the most frequent finite value on its faces, as the preprocessing finds it; 0 when no face
/// voxel is finite), so the preprocessing leaves them out of the brain, out of the statistics and out of the
/// prediction; a warning names the file and the count. In a label map they are an error, like any value outside
/// the label convention.
/// </summary>
internal static class NonFiniteVoxels
{
    /// <summary>
    /// <paramref name="volume"/> itself when every voxel is finite; otherwise a copy with the non-finite ones set to
    /// the background, and <paramref name="count"/> of them.
    /// </summary>
    public static Volume Replace(Volume volume, out long count)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var data = volume.Data;
        count = 0;
        foreach (var v in data)
        {
            if (!float.IsFinite(v))
            {
                count++;
            }
        }

        if (count == 0)
        {
            return volume;
        }

        var background = FiniteBackground(data, volume.Geometry.Shape);
        var cleaned = (float[])data.Clone();
        for (var i = 0; i < cleaned.Length; i++)
        {
            if (!float.IsFinite(cleaned[i]))
            {
                cleaned[i] = background;
            }
        }

        return volume.WithData(cleaned);
    }

    /// <summary>The warning for <paramref name="count"/> replaced voxels of <paramref name="path"/>.</summary>
    public static string Warning(string path, long count, long total) => string.Create(
        CultureInfo.InvariantCulture,
        $"{path}: {count} of {total} voxels are NaN or infinite; they count as background");

    // The most frequent finite value on the six faces (the smallest on a tie), as Preprocessor.Background.
    private static float FiniteBackground(float[] data, int[] shape)
    {
        int nx = shape[0], ny = shape[1], nz = shape[2];
        var counts = new Dictionary<float, long>();
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                var face = z == 0 || z == nz - 1 || y == 0 || y == ny - 1;
                var row = nx * (y + (ny * z));
                for (var x = 0; x < nx; x += face || x == nx - 1 ? 1 : nx - 1)
                {
                    var v = data[row + x];
                    if (float.IsFinite(v))
                    {
                        counts[v] = counts.GetValueOrDefault(v) + 1;
                    }
                }
            }
        }

        return counts.Count == 0 ? 0f : counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key).First().Key;
    }
}
