using SegAN.Metrics;

namespace SegAN.Tests.Metrics;

public sealed class EuclideanDistanceTransformTests
{
    [Fact]
    public void SquaredDistances_MatchBruteForce_OnRandomAnisotropicGrids()
    {
        var random = new Random(42);
        for (var trial = 0; trial < 10; trial++)
        {
            // Given a few random feature voxels on an anisotropic grid
            var grid = new MaskGrid([1 + random.Next(9), 1 + random.Next(9), 1 + random.Next(9)], [0.3 + random.NextDouble(), 0.3 + (2 * random.NextDouble()), 0.3 + (4 * random.NextDouble())]);
            var features = new bool[grid.VoxelCount];
            for (var k = 0; k < 1 + random.Next(4); k++)
            {
                features[random.Next(features.Length)] = true;
            }

            // When transforming
            var d = EuclideanDistanceTransform.SquaredDistances(features, grid);

            // Then every voxel holds its squared distance to the nearest feature, found by trying them all
            int nx = grid.Shape[0], ny = grid.Shape[1];
            for (var i = 0; i < d.Length; i++)
            {
                var best = double.PositiveInfinity;
                for (var j = 0; j < features.Length; j++)
                {
                    if (!features[j])
                    {
                        continue;
                    }

                    var dx = ((i % nx) - (j % nx)) * grid.Spacing[0];
                    var dy = ((i / nx % ny) - (j / nx % ny)) * grid.Spacing[1];
                    var dz = ((i / (nx * ny)) - (j / (nx * ny))) * grid.Spacing[2];
                    best = Math.Min(best, (dx * dx) + (dy * dy) + (dz * dz));
                }

                Assert.Equal(best, d[i], 9);
            }
        }
    }

    [Fact]
    public void SquaredDistances_AreInfinite_WithoutFeatures()
    {
        var d = EuclideanDistanceTransform.SquaredDistances(new bool[24], MaskGrid.Isotropic(2, 3, 4));
        Assert.All(d, v => Assert.True(double.IsPositiveInfinity(v)));
    }

    [Fact]
    public void SquaredDistances_AlongOneLine_AreHandComputed()
    {
        // Given a 5 x 1 x 1 line with 2 mm voxels and a feature at x = 1
        var d = EuclideanDistanceTransform.SquaredDistances([false, true, false, false, false], new MaskGrid([5, 1, 1], [2, 1, 1]));

        // Then distances are 2, 0, 2, 4, 6 mm, squared
        Assert.Equal([4.0, 0.0, 4.0, 16.0, 36.0], d);
    }
}
