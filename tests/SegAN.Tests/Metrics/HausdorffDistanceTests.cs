using SegAN.Metrics;

namespace SegAN.Tests.Metrics;

public sealed class HausdorffDistanceTests
{
    [Fact]
    public void Percentile95_MatchesBruteForceSurfaceDistances_OnRandomAnisotropicMasks()
    {
        var random = new Random(1234);
        for (var trial = 0; trial < 12; trial++)
        {
            // Given random masks on a small grid with anisotropic voxels
            var grid = new MaskGrid([5 + random.Next(6), 4 + random.Next(6), 3 + random.Next(5)], [0.5 + random.NextDouble(), 0.7 + (2 * random.NextDouble()), 1.0 + (3 * random.NextDouble())]);
            var a = RandomMasks.Blobs(random, grid, noise: 0.03);
            var b = RandomMasks.Blobs(random, grid, noise: 0.03);

            // When computing HD95 (and HD100) with the distance transform
            var hd95 = HausdorffDistance.Percentile95(a, b, grid);
            var hd100 = HausdorffDistance.Percentile(a, b, grid, 100);

            // Then it equals the brute-force definition: every surface voxel against every other
            Assert.Equal(BruteForce(a, b, grid, 95), hd95, 9);
            Assert.Equal(BruteForce(a, b, grid, 100), hd100, 9);
        }
    }

    [Fact]
    public void Percentile95_IsZero_ForIdenticalMasks()
    {
        var grid = new MaskGrid([8, 7, 6], [1, 2, 3]);
        var a = RandomMasks.Blobs(new Random(5), grid);
        Assert.Equal(0.0, HausdorffDistance.Percentile95(a, a, grid));
    }

    [Fact]
    public void Percentile100_OfShiftedSingleVoxel_IsTheShiftInMillimetres()
    {
        // Given one voxel at (1, 1, 1) and one at (1, 1, 3) with 2.5 mm slices
        var grid = new MaskGrid([3, 3, 5], [1, 1, 2.5]);
        var a = new bool[grid.VoxelCount];
        var b = new bool[grid.VoxelCount];
        a[1 + (3 * (1 + (3 * 1)))] = true;
        b[1 + (3 * (1 + (3 * 3)))] = true;

        // Then the distance is 2 slices of 2.5 mm in both directions
        Assert.Equal(5.0, HausdorffDistance.Percentile95(a, b, grid), 12);
        Assert.Equal(5.0, HausdorffDistance.Percentile(a, b, grid, 100), 12);
    }

    [Fact]
    public void EmptyMasks_FollowBratsRules()
    {
        var grid = MaskGrid.Isotropic(4, 4, 4);
        var empty = new bool[64];
        var some = new bool[64];
        some[21] = true;

        Assert.Equal(0.0, HausdorffDistance.Percentile95(empty, empty, grid));
        Assert.Equal(373.13, HausdorffDistance.Percentile95(empty, some, grid));
        Assert.Equal(373.13, HausdorffDistance.Percentile95(some, empty, grid));
    }

    [Fact]
    public void PercentileOf_InterpolatesLinearlyLikeNumpy()
    {
        // numpy.percentile([1, 2, 3, 4], 95) = 3 + 0.85 = 3.85; ([7], q) = 7
        Assert.Equal(3.85, HausdorffDistance.PercentileOf([4, 1, 3, 2], 95), 12);
        Assert.Equal(2.5, HausdorffDistance.PercentileOf([4, 1, 3, 2], 50), 12);
        Assert.Equal(7.0, HausdorffDistance.PercentileOf([7], 95), 12);
    }

    [Fact]
    public void Arguments_AreRejected_NamingTheValue()
    {
        var grid = MaskGrid.Isotropic(2, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => HausdorffDistance.Percentile95(new bool[7], new bool[8], grid));
        Assert.Equal("prediction", e.ParamName);
        var p = Assert.Throws<ArgumentOutOfRangeException>(() => HausdorffDistance.Percentile(new bool[8], new bool[8], grid, 101));
        Assert.Equal("percentile", p.ParamName);
        var s = Assert.Throws<ArgumentOutOfRangeException>(() => new MaskGrid([2, 2, 2], [1, 0, 1]));
        Assert.Contains("spacing[1]", s.Message, StringComparison.Ordinal);
        var n = Assert.Throws<ArgumentOutOfRangeException>(() => new MaskGrid([2, -1, 2], [1, 1, 1]));
        Assert.Contains("shape[1]", n.Message, StringComparison.Ordinal);
    }

    // The definition spelled out independently: surface voxels by looking at the six neighbours (outside the
    // volume counts as background), all pairwise distances, numpy's linear percentile, max of both directions.
    private static double BruteForce(bool[] a, bool[] b, MaskGrid grid, double percentile)
    {
        var ea = Surface(a, grid);
        var eb = Surface(b, grid);
        if (ea.Count == 0 && eb.Count == 0)
        {
            return 0;
        }

        if (ea.Count == 0 || eb.Count == 0)
        {
            return 373.13;
        }

        double Nearest((int X, int Y, int Z) p, List<(int X, int Y, int Z)> set) => set.Min(q =>
            Math.Sqrt(Math.Pow((p.X - q.X) * grid.Spacing[0], 2) + Math.Pow((p.Y - q.Y) * grid.Spacing[1], 2) + Math.Pow((p.Z - q.Z) * grid.Spacing[2], 2)));

        double Percentile(List<double> values)
        {
            values.Sort();
            var rank = percentile / 100 * (values.Count - 1);
            var lo = (int)rank;
            return lo + 1 < values.Count ? values[lo] + ((values[lo + 1] - values[lo]) * (rank - lo)) : values[lo];
        }

        return Math.Max(Percentile(ea.Select(p => Nearest(p, eb)).ToList()), Percentile(eb.Select(p => Nearest(p, ea)).ToList()));
    }

    private static List<(int X, int Y, int Z)> Surface(bool[] mask, MaskGrid grid)
    {
        int nx = grid.Shape[0], ny = grid.Shape[1], nz = grid.Shape[2];
        bool At(int x, int y, int z) => x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz && mask[x + (nx * (y + (ny * z)))];
        var result = new List<(int, int, int)>();
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var eroded = At(x, y, z) && At(x - 1, y, z) && At(x + 1, y, z) && At(x, y - 1, z) && At(x, y + 1, z) && At(x, y, z - 1) && At(x, y, z + 1);
                    if (At(x, y, z) && !eroded)
                    {
                        result.Add((x, y, z));
                    }
                }
            }
        }

        return result;
    }
}
