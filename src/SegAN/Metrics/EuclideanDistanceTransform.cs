namespace SegAN.Metrics;

/// <summary>
/// Exact Euclidean distance transform with anisotropic voxels (Felzenszwalb and Huttenlocher 2012, "Distance
/// Transforms of Sampled Functions"): one pass of the 1D lower envelope of parabolas per axis, each O(n), so a
/// BraTS volume takes a fraction of a second. Distances are between voxel centres, in millimetres.
/// </summary>
public static class EuclideanDistanceTransform
{
    /// <summary>
    /// For every voxel of <paramref name="grid"/>, the squared distance (mm²) to the nearest voxel where
    /// <paramref name="features"/> is true; positive infinity everywhere when there is no feature voxel.
    /// </summary>
    public static double[] SquaredDistances(ReadOnlySpan<bool> features, MaskGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.CheckLength(features, nameof(features));
        var field = new double[features.Length];
        for (var i = 0; i < field.Length; i++)
        {
            field[i] = features[i] ? 0.0 : double.PositiveInfinity;
        }

        Transform(field, grid.Shape, grid.Spacing);
        return field;
    }

    /// <summary>
    /// In place: replaces <paramref name="field"/> (0 at feature voxels, +inf elsewhere, or any sampled function)
    /// by its squared-distance transform along all three axes.
    /// </summary>
    internal static void Transform(double[] field, int[] shape, double[] spacing)
    {
        int nx = shape[0], ny = shape[1], nz = shape[2];
        var longest = Math.Max(nx, Math.Max(ny, nz));
        var line = new double[longest];
        var output = new double[longest];
        var sites = new int[longest];
        var bounds = new double[longest + 1];

        // x lines: contiguous.
        for (var start = 0; start < field.Length; start += nx)
        {
            field.AsSpan(start, nx).CopyTo(line);
            if (Transform1D(line, nx, spacing[0], output, sites, bounds))
            {
                output.AsSpan(0, nx).CopyTo(field.AsSpan(start, nx));
            }
        }

        // y lines: stride nx.
        for (var z = 0; z < nz; z++)
        {
            for (var x = 0; x < nx; x++)
            {
                var start = x + (nx * ny * z);
                for (var y = 0; y < ny; y++)
                {
                    line[y] = field[start + (nx * y)];
                }

                if (Transform1D(line, ny, spacing[1], output, sites, bounds))
                {
                    for (var y = 0; y < ny; y++)
                    {
                        field[start + (nx * y)] = output[y];
                    }
                }
            }
        }

        // z lines: stride nx * ny.
        var plane = nx * ny;
        for (var xy = 0; xy < plane; xy++)
        {
            for (var z = 0; z < nz; z++)
            {
                line[z] = field[xy + (plane * z)];
            }

            if (Transform1D(line, nz, spacing[2], output, sites, bounds))
            {
                for (var z = 0; z < nz; z++)
                {
                    field[xy + (plane * z)] = output[z];
                }
            }
        }
    }

    /// <summary>
    /// d(q) = min over p of ((q - p) h)² + f(p), the lower envelope of parabolas rooted at the finite samples.
    /// Returns false (output untouched) when every sample is infinite, since the line then stays infinite.
    /// </summary>
    private static bool Transform1D(double[] f, int n, double h, double[] d, int[] v, double[] z)
    {
        var k = -1;
        for (var q = 0; q < n; q++)
        {
            var fq = f[q];
            if (double.IsPositiveInfinity(fq))
            {
                continue; // a site at infinity never lies on the envelope
            }

            var xq = q * h;
            if (k < 0)
            {
                k = 0;
                v[0] = q;
                z[0] = double.NegativeInfinity;
                z[1] = double.PositiveInfinity;
                continue;
            }

            double s;
            while (true)
            {
                var r = v[k];
                var xr = r * h;
                // Where the parabola rooted at q overtakes the one rooted at r.
                s = ((fq + (xq * xq)) - (f[r] + (xr * xr))) / (2 * (xq - xr));
                if (s > z[k])
                {
                    break;
                }

                k--; // z[0] is -inf, so k stays >= 0
            }

            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = double.PositiveInfinity;
        }

        if (k < 0)
        {
            return false;
        }

        k = 0;
        for (var q = 0; q < n; q++)
        {
            var xq = q * h;
            while (z[k + 1] < xq)
            {
                k++;
            }

            var dx = xq - (v[k] * h);
            d[q] = (dx * dx) + f[v[k]];
        }

        return true;
    }
}
