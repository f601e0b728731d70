namespace SegAN.Imaging;

/// <summary>
/// What <c>segan inspect</c> reports about an image file: its facts (<see cref="ImageInfo"/>), intensity
/// min/max/mean over every finite voxel of every volume, and the distinct values when the file looks like a
/// label map (integer voxels, or integral float voxels, with at most <see cref="MaxLabels"/> distinct values).
/// </summary>
public sealed record ImageInspection(ImageInfo Info, double Min, double Max, double Mean, IReadOnlyList<long>? Labels)
{
    /// <summary>A file with more distinct values than this is an image, not a label map.</summary>
    public const int MaxLabels = 32;

    /// <summary>Reads <paramref name="path"/> (any <see cref="ImageFile"/> format) and summarises it.</summary>
    public static ImageInspection Of(string path) => Of(ImageFile.ReadAll(path));

    /// <summary>Summarises an image already in memory.</summary>
    public static ImageInspection Of(ImageData image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (min, max, sum, count) = (double.PositiveInfinity, double.NegativeInfinity, 0.0, 0L);
        var distinct = new HashSet<float>();
        var integral = true;
        foreach (var volume in image.Volumes)
        {
            foreach (var v in volume.Data)
            {
                if (!float.IsFinite(v))
                {
                    integral = false;
                    continue;
                }

                min = Math.Min(min, v);
                max = Math.Max(max, v);
                sum += v;
                count++;
                if (integral && distinct.Count <= MaxLabels)
                {
                    integral = MathF.Round(v) == v;
                    distinct.Add(v);
                }
            }
        }

        var labels = integral && count > 0 && distinct.Count <= MaxLabels
            ? distinct.Select(v => (long)v).Order().ToArray()
            : null;
        return count == 0
            ? new ImageInspection(image.Info, double.NaN, double.NaN, double.NaN, null)
            : new ImageInspection(image.Info, min, max, sum / count, labels);
    }
}
