using SegAN.Data;
using SegAN.Imaging;
using SegAN.Training;

namespace SegAN.Tests.Training;

/// <summary>
/// Synthetic tumour phantoms for training tests: a disc (WT) holding a smaller disc (TC) whose rim is enhancing (ET),
/// seen in two noisy channels (WT bright in channel 0, ET bright in channel 1). Batch k depends only on (seed, k), so
/// a source can start at any position, as resume requires.
/// </summary>
internal sealed class PhantomSlices : ISliceBatchSource
{
    public const int Channels = 2;

    private readonly int _batch;
    private readonly int _size;
    private readonly int _seed;
    private long _index;

    public PhantomSlices(int batch, int size, int seed, long start = 0)
    {
        (_batch, _size, _seed, _index) = (batch, size, seed, start);
    }

    /// <summary>Position: number of batches handed out so far (including the starting offset).</summary>
    public long Position => _index;

    /// <summary>Set to make batch <c>NaNAt</c> contain a NaN pixel.</summary>
    public long NaNAt { get; init; } = -1;

    public SliceBatch Next()
    {
        var rng = new Random(unchecked((_seed * 1_000_003) + (int)_index));
        var (images, targets) = Make(rng, _batch, _size);
        if (_index == NaNAt)
        {
            images[0] = float.NaN;
        }

        _index++;
        return new SliceBatch(images, targets, _batch, Channels, _size, _size);
    }

    /// <summary>A validation set of <paramref name="cases"/> volumes of <paramref name="slices"/> slices each.</summary>
    public static IValidationSet Validation(int cases, int slices, int size, int seed)
    {
        var list = new List<PreparedCase>();
        for (var c = 0; c < cases; c++)
        {
            var (images, targets) = Make(new Random(seed + (7919 * c)), slices, size);
            list.Add(Prepared($"case{c}", images, targets, slices, Channels, size));
        }

        return new InMemoryValidationSet(list);
    }

    /// <summary>
    /// Slices (Z, C, size, size) and their 0/1 regions (Z, 3, size, size) as a prepared case on a size x size x Z
    /// grid, a slice holding brain where any of its voxels has signal.
    /// </summary>
    public static PreparedCase Prepared(string name, float[] images, float[] targets, int slices, int channels, int size)
    {
        var inPlane = channels * size * size;
        var hasBrain = Enumerable.Range(0, slices).Select(z => images.AsSpan(z * inPlane, inPlane).ContainsAnyExcept(0f)).ToArray();
        var window = new CropWindow(0, 0, 0, size, size, slices, size, size, slices);
        return new PreparedCase(
            name, null, [.. Enumerable.Range(0, channels).Select(c => $"M{c}")], slices, size, size, images, [.. targets.Select(t => t > 0.5f ? (byte)1 : (byte)0)], hasBrain, window,
            ImageGeometry.FromSpacing([size, size, slices], [1, 1, 1]), LabelConvention.Brats2021);
    }

    private static (float[] Images, float[] Targets) Make(Random rng, int count, int size)
    {
        var plane = size * size;
        var images = new float[count * Channels * plane];
        var targets = new float[count * SliceBatch.RegionCount * plane];
        for (var n = 0; n < count; n++)
        {
            var tumour = rng.NextDouble() < 0.8;
            var cx = size * (0.3 + (0.4 * rng.NextDouble()));
            var cy = size * (0.3 + (0.4 * rng.NextDouble()));
            var rw = size * (0.15 + (0.1 * rng.NextDouble()));
            var rt = rw * 0.6;
            var rcore = rt * 0.5;
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var d = Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy)));
                    var wt = tumour && d <= rw;
                    var tc = tumour && d <= rt;
                    var et = tc && d > rcore;
                    var i = (y * size) + x;
                    targets[(((n * 3) + 0) * plane) + i] = wt ? 1 : 0;
                    targets[(((n * 3) + 1) * plane) + i] = tc ? 1 : 0;
                    targets[(((n * 3) + 2) * plane) + i] = et ? 1 : 0;
                    images[(((n * Channels) + 0) * plane) + i] = (float)((wt ? 1.0 : 0.2) + (0.1 * Gaussian(rng)));
                    images[(((n * Channels) + 1) * plane) + i] = (float)((et ? 1.0 : tc ? 0.1 : 0.4) + (0.1 * Gaussian(rng)));
                }
            }
        }

        return (images, targets);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
