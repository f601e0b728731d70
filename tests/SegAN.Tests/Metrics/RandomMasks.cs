using SegAN.Metrics;

namespace SegAN.Tests.Metrics;

/// <summary>Random binary masks for property tests: a few ellipsoid blobs plus scattered voxels, some touching the border.</summary>
internal static class RandomMasks
{
    public static bool[] Blobs(Random random, MaskGrid grid, int blobs = 2, double noise = 0.01)
    {
        int nx = grid.Shape[0], ny = grid.Shape[1], nz = grid.Shape[2];
        var mask = new bool[grid.VoxelCount];
        var centres = Enumerable.Range(0, blobs)
            .Select(_ => (x: random.NextDouble() * nx, y: random.NextDouble() * ny, z: random.NextDouble() * nz,
                rx: 1 + (random.NextDouble() * nx / 3), ry: 1 + (random.NextDouble() * ny / 3), rz: 1 + (random.NextDouble() * nz / 3)))
            .ToArray();
        var i = 0;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++, i++)
                {
                    foreach (var c in centres)
                    {
                        var dx = (x - c.x) / c.rx;
                        var dy = (y - c.y) / c.ry;
                        var dz = (z - c.z) / c.rz;
                        if ((dx * dx) + (dy * dy) + (dz * dz) <= 1)
                        {
                            mask[i] = true;
                        }
                    }

                    if (random.NextDouble() < noise)
                    {
                        mask[i] = true;
                    }
                }
            }
        }

        return mask;
    }
}
