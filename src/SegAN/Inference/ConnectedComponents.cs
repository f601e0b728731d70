namespace SegAN.Inference;

/// <summary>Connected components of binary 3D masks (6-connectivity: voxels sharing a face).</summary>
public static class ConnectedComponents
{
    /// <summary>
    /// Keeps only the largest 6-connected component of <paramref name="mask"/> (x fastest, shape nx x ny x nz),
    /// in place; the first one found (in voxel order) wins a tie. Returns the number of components found.
    /// </summary>
    public static int KeepLargest(Span<byte> mask, int nx, int ny, int nz)
    {
        var count = (long)nx * ny * nz;
        if (mask.Length != count)
        {
            throw new ArgumentException($"mask has {mask.Length} voxels, shape {nx}x{ny}x{nz} needs {count}", nameof(mask));
        }

        var component = new int[mask.Length];
        var stack = new Stack<int>();
        var sizes = new List<int> { 0 }; // component 0 = background
        for (var start = 0; start < mask.Length; start++)
        {
            if (mask[start] == 0 || component[start] != 0)
            {
                continue;
            }

            var id = sizes.Count;
            var size = 0;
            component[start] = id;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var i = stack.Pop();
                size++;
                var x = i % nx;
                var y = i / nx % ny;
                var z = i / (nx * ny);
                Visit(mask, component, stack, id, x > 0, i - 1);
                Visit(mask, component, stack, id, x < nx - 1, i + 1);
                Visit(mask, component, stack, id, y > 0, i - nx);
                Visit(mask, component, stack, id, y < ny - 1, i + nx);
                Visit(mask, component, stack, id, z > 0, i - (nx * ny));
                Visit(mask, component, stack, id, z < nz - 1, i + (nx * ny));
            }

            sizes.Add(size);
        }

        if (sizes.Count <= 2)
        {
            return sizes.Count - 1;
        }

        var largest = 1;
        for (var id = 2; id < sizes.Count; id++)
        {
            if (sizes[id] > sizes[largest])
            {
                largest = id;
            }
        }

        for (var i = 0; i < mask.Length; i++)
        {
            if (component[i] != largest)
            {
                mask[i] = 0;
            }
        }

        return sizes.Count - 1;
    }

    private static void Visit(Span<byte> mask, int[] component, Stack<int> stack, int id, bool inside, int j)
    {
        if (inside && mask[j] != 0 && component[j] == 0)
        {
            component[j] = id;
            stack.Push(j);
        }
    }
}
