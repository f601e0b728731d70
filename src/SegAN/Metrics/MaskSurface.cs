namespace SegAN.Metrics;

/// <summary>
/// The surface (edge) voxels of a binary mask as MONAI's <c>get_mask_edges</c> defines them: mask voxels that a
/// binary erosion with the 6-neighbour cross removes, i.e. those with a face neighbour outside the mask or
/// outside the volume (SciPy's <c>binary_erosion</c> treats the outside as background).
/// </summary>
public static class MaskSurface
{
    /// <summary>A mask of the surface voxels of <paramref name="mask"/>.</summary>
    public static bool[] Edges(ReadOnlySpan<bool> mask, MaskGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.CheckLength(mask, nameof(mask));
        var edges = new bool[mask.Length];
        foreach (var i in EdgeIndices(mask, grid))
        {
            edges[i] = true;
        }

        return edges;
    }

    /// <summary>Linear indices (x fastest) of the surface voxels of <paramref name="mask"/>, ascending.</summary>
    public static List<int> EdgeIndices(ReadOnlySpan<bool> mask, MaskGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.CheckLength(mask, nameof(mask));
        int nx = grid.Shape[0], ny = grid.Shape[1], nz = grid.Shape[2];
        var plane = nx * ny;
        var result = new List<int>();
        var i = 0;
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++, i++)
                {
                    if (!mask[i])
                    {
                        continue;
                    }

                    var edge = x == 0 || x == nx - 1 || y == 0 || y == ny - 1 || z == 0 || z == nz - 1
                        || !mask[i - 1] || !mask[i + 1] || !mask[i - nx] || !mask[i + nx] || !mask[i - plane] || !mask[i + plane];
                    if (edge)
                    {
                        result.Add(i);
                    }
                }
            }
        }

        return result;
    }
}
