using System.Diagnostics;
using SegAN.Metrics;

namespace SegAN.Bench;

/// <summary>Times HD95 on a full BraTS grid (240 x 240 x 155) with two large, overlapping ellipsoid tumours.</summary>
internal static class Hd95Probe
{
    public static (double Seconds, double Hd95) Measure()
    {
        var grid = new MaskGrid([240, 240, 155], [1, 1, 1]);
        var a = Ellipsoid(grid, 120, 110, 77, 60, 50, 40);
        var b = Ellipsoid(grid, 126, 115, 80, 55, 58, 35);
        HausdorffDistance.Percentile95(a, b, grid); // warm-up (JIT)
        var watch = Stopwatch.StartNew();
        var hd = HausdorffDistance.Percentile95(a, b, grid);
        return (watch.Elapsed.TotalSeconds, hd);
    }

    private static bool[] Ellipsoid(MaskGrid grid, double cx, double cy, double cz, double rx, double ry, double rz)
    {
        var mask = new bool[grid.VoxelCount];
        var i = 0;
        for (var z = 0; z < grid.Shape[2]; z++)
        {
            for (var y = 0; y < grid.Shape[1]; y++)
            {
                for (var x = 0; x < grid.Shape[0]; x++, i++)
                {
                    var dx = (x - cx) / rx;
                    var dy = (y - cy) / ry;
                    var dz = (z - cz) / rz;
                    mask[i] = (dx * dx) + (dy * dy) + (dz * dz) <= 1;
                }
            }
        }

        return mask;
    }
}
