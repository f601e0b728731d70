using SegAN.Metrics;

namespace SegAN.Evaluation;

/// <summary>
/// The two morphological steps of the BraTS lesion-wise evaluation on binary 3D masks (x fastest): labelling
/// 26-connected components (voxels sharing a face, an edge or a corner), and binary dilation with SciPy's
/// <c>generate_binary_structure(3, 2)</c>, the 18-neighbourhood (offsets with at most two non-zero coordinates),
/// repeated a number of times; the volume's outside stays background, as SciPy's <c>border_value=0</c>.
/// </summary>
internal static class LesionComponents
{
    /// <summary>
    /// Labels the 26-connected components of <paramref name="mask"/> 1..count in the order their first voxel
    /// appears (x fastest); 0 is background. Returns the labels and the count.
    /// </summary>
    public static (int[] Labels, int Count) Label(ReadOnlySpan<bool> mask, int[] shape)
    {
        CheckShape(mask.Length, shape);
        int nx = shape[0], ny = shape[1], nz = shape[2];
        var labels = new int[mask.Length];
        var stack = new Stack<int>();
        Span<int> neighbours = stackalloc int[27];
        var count = 0;
        for (var start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || labels[start] != 0)
            {
                continue;
            }

            count++;
            labels[start] = count;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var i = stack.Pop();
                var x = i % nx;
                var y = i / nx % ny;
                var z = i / (nx * ny);
                var near = Neighbourhood(nx, ny, nz, x, y, z, corners: true, neighbours);
                foreach (var j in neighbours[..near])
                {
                    if (mask[j] && labels[j] == 0)
                    {
                        labels[j] = count;
                        stack.Push(j);
                    }
                }
            }
        }

        return (labels, count);
    }

    /// <summary>
    /// <c>binary_dilation(mask, generate_binary_structure(3, 2), iterations)</c>: each pass adds every voxel with an
    /// 18-neighbour (or itself) in the mask. Only the mask's bounding box grown by <paramref name="iterations"/>
    /// can change, so only that box is visited.
    /// </summary>
    public static bool[] Dilate(ReadOnlySpan<bool> mask, int[] shape, int iterations)
    {
        CheckShape(mask.Length, shape);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        int nx = shape[0], ny = shape[1], nz = shape[2];
        var current = mask.ToArray();
        Span<int> neighbours = stackalloc int[27];
        if (MaskBounds.Of(current, current, shape) is not { } box)
        {
            return current;
        }

        int x0 = box.Lo[0], y0 = box.Lo[1], z0 = box.Lo[2], x1 = box.Hi[0], y1 = box.Hi[1], z1 = box.Hi[2];
        for (var pass = 0; pass < iterations; pass++)
        {
            (x0, y0, z0) = (Math.Max(0, x0 - 1), Math.Max(0, y0 - 1), Math.Max(0, z0 - 1));
            (x1, y1, z1) = (Math.Min(nx - 1, x1 + 1), Math.Min(ny - 1, y1 + 1), Math.Min(nz - 1, z1 + 1));
            var next = (bool[])current.Clone();
            for (var z = z0; z <= z1; z++)
            {
                for (var y = y0; y <= y1; y++)
                {
                    for (var x = x0; x <= x1; x++)
                    {
                        var i = x + (nx * (y + (ny * z)));
                        if (!current[i] && HasNeighbour18(current, nx, ny, nz, x, y, z, neighbours))
                        {
                            next[i] = true;
                        }
                    }
                }
            }

            current = next;
        }

        return current;
    }

    private static bool HasNeighbour18(bool[] mask, int nx, int ny, int nz, int x, int y, int z, Span<int> neighbours)
    {
        var near = Neighbourhood(nx, ny, nz, x, y, z, corners: false, neighbours);
        foreach (var j in neighbours[..near])
        {
            if (mask[j])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes into <paramref name="into"/> the indices of the voxels of (x, y, z)'s 3x3x3 neighbourhood that lie in
    /// the volume, itself included, z slowest and x fastest; without the 8 corners unless <paramref name="corners"/>
    /// (26- or 18-neighbourhood). Returns how many it wrote.
    /// </summary>
    private static int Neighbourhood(int nx, int ny, int nz, int x, int y, int z, bool corners, Span<int> into)
    {
        var count = 0;
        for (var dz = -1; dz <= 1; dz++)
        {
            var zz = z + dz;
            if (zz < 0 || zz >= nz)
            {
                continue;
            }

            for (var dy = -1; dy <= 1; dy++)
            {
                var yy = y + dy;
                if (yy < 0 || yy >= ny)
                {
                    continue;
                }

                for (var dx = -1; dx <= 1; dx++)
                {
                    var xx = x + dx;
                    if (xx < 0 || xx >= nx || (!corners && dx != 0 && dy != 0 && dz != 0))
                    {
                        continue;
                    }

                    into[count++] = xx + (nx * (yy + (ny * zz)));
                }
            }
        }

        return count;
    }

    private static void CheckShape(int length, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length != 3 || (long)shape[0] * shape[1] * shape[2] != length)
        {
            throw new ArgumentException($"mask has {length} voxels, shape {string.Join("x", shape)} does not match", nameof(shape));
        }
    }
}
