namespace SegAN.Metrics;

/// <summary>
/// The percentile Hausdorff distance between the surfaces of two binary masks, in millimetres, as MONAI's
/// <c>compute_hausdorff_distance(percentile=95)</c> and the BraTS evaluation define it: the surface voxels of
/// each mask (<see cref="MaskSurface"/>); the distance from every surface voxel of the prediction to the nearest
/// surface voxel of the truth and vice versa (exact Euclidean, anisotropic spacing); the percentile of each
/// directed set (linear interpolation, as <c>numpy.percentile</c>); the larger of the two.
/// </summary>
public static class HausdorffDistance
{
    /// <summary>
    /// The BraTS value when exactly one mask is empty: the diagonal of the 240 x 240 x 155 1 mm BraTS volume,
    /// sqrt(240² + 240² + 155²) = 373.13 mm.
    /// </summary>
    public const double OneMaskEmpty = 373.13;

    /// <summary>The 95th-percentile Hausdorff distance (HD95) in mm; 0 when both masks are empty, <see cref="OneMaskEmpty"/> when one is.</summary>
    public static double Percentile95(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth, MaskGrid grid) =>
        Percentile(prediction, truth, grid, 95);

    /// <summary>
    /// The <paramref name="percentile"/>-th percentile Hausdorff distance in mm (100 gives the classic Hausdorff
    /// distance); 0 when both masks are empty, <see cref="OneMaskEmpty"/> when one is.
    /// </summary>
    public static double Percentile(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> truth, MaskGrid grid, double percentile)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.CheckLength(prediction, nameof(prediction));
        grid.CheckLength(truth, nameof(truth));
        if (!(percentile >= 0 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "percentile must be between 0 and 100");
        }

        var predictionEdges = MaskSurface.EdgeIndices(prediction, grid);
        var truthEdges = MaskSurface.EdgeIndices(truth, grid);
        if (predictionEdges.Count == 0 && truthEdges.Count == 0)
        {
            return 0.0;
        }

        if (predictionEdges.Count == 0 || truthEdges.Count == 0)
        {
            return OneMaskEmpty;
        }

        var box = Box.Around(predictionEdges, truthEdges, grid.Shape);
        var forward = Directed(predictionEdges, truthEdges, box, grid.Spacing);
        var backward = Directed(truthEdges, predictionEdges, box, grid.Spacing);
        return Math.Max(PercentileOf(forward, percentile), PercentileOf(backward, percentile));
    }

    /// <summary>
    /// Distances (mm) from each surface voxel of <paramref name="from"/> to the nearest surface voxel of
    /// <paramref name="to"/>, in ascending index order of the <paramref name="from"/> surface; empty when
    /// <paramref name="from"/> has no voxel, all +inf when <paramref name="to"/> has none.
    /// </summary>
    public static double[] DirectedSurfaceDistances(ReadOnlySpan<bool> from, ReadOnlySpan<bool> to, MaskGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.CheckLength(from, nameof(from));
        grid.CheckLength(to, nameof(to));
        var fromEdges = MaskSurface.EdgeIndices(from, grid);
        var toEdges = MaskSurface.EdgeIndices(to, grid);
        if (toEdges.Count == 0)
        {
            return Enumerable.Repeat(double.PositiveInfinity, fromEdges.Count).ToArray();
        }

        return fromEdges.Count == 0 ? [] : Directed(fromEdges, toEdges, Box.Around(fromEdges, toEdges, grid.Shape), grid.Spacing);
    }

    /// <summary>The percentile of <paramref name="values"/> with numpy's default linear interpolation between order statistics.</summary>
    public static double PercentileOf(double[] values, double percentile)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0)
        {
            throw new ArgumentException("cannot take a percentile of no values", nameof(values));
        }

        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var rank = percentile / 100.0 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }

    // The distance from a point to a set only depends on the two, so the transform runs on the bounding box of
    // both surfaces instead of the whole volume: exact, and much smaller for a tumour in a brain.
    private static double[] Directed(List<int> from, List<int> to, Box box, double[] spacing)
    {
        var field = new double[box.Count];
        Array.Fill(field, double.PositiveInfinity);
        foreach (var i in to)
        {
            field[box.Local(i)] = 0.0;
        }

        EuclideanDistanceTransform.Transform(field, box.Shape, spacing);
        var distances = new double[from.Count];
        for (var k = 0; k < from.Count; k++)
        {
            distances[k] = Math.Sqrt(field[box.Local(from[k])]);
        }

        return distances;
    }

    private sealed class Box
    {
        private readonly int _nx;
        private readonly int _ny;
        private readonly int _x0;
        private readonly int _y0;
        private readonly int _z0;
        private readonly int _fullNx;
        private readonly int _fullPlane;

        private Box(int[] full, int x0, int y0, int z0, int x1, int y1, int z1)
        {
            _fullNx = full[0];
            _fullPlane = full[0] * full[1];
            (_x0, _y0, _z0) = (x0, y0, z0);
            _nx = x1 - x0 + 1;
            _ny = y1 - y0 + 1;
            Shape = [_nx, _ny, z1 - z0 + 1];
            Count = _nx * _ny * Shape[2];
        }

        public int[] Shape { get; }

        public int Count { get; }

        public static Box Around(List<int> a, List<int> b, int[] full)
        {
            int x0 = int.MaxValue, y0 = int.MaxValue, z0 = int.MaxValue, x1 = -1, y1 = -1, z1 = -1;
            var plane = full[0] * full[1];
            foreach (var list in (ReadOnlySpan<List<int>>)[a, b])
            {
                foreach (var i in list)
                {
                    var z = i / plane;
                    var rest = i - (z * plane);
                    var y = rest / full[0];
                    var x = rest - (y * full[0]);
                    x0 = Math.Min(x0, x);
                    x1 = Math.Max(x1, x);
                    y0 = Math.Min(y0, y);
                    y1 = Math.Max(y1, y);
                    z0 = Math.Min(z0, z);
                    z1 = Math.Max(z1, z);
                }
            }

            return new Box(full, x0, y0, z0, x1, y1, z1);
        }

        public int Local(int index)
        {
            var z = index / _fullPlane;
            var rest = index - (z * _fullPlane);
            var y = rest / _fullNx;
            var x = rest - (y * _fullNx);
            return x - _x0 + (_nx * (y - _y0 + (_ny * (z - _z0))));
        }
    }
}
