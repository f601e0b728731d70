namespace SegAN.Metrics;

/// <summary>The bounding box of a 3D mask (x fastest), or of the union of two.</summary>
internal static class MaskBounds
{
    /// <summary>
    /// The lowest and highest x, y and z of a voxel set in <paramref name="a"/> or <paramref name="b"/> (pass one mask
    /// twice for its own box); null when no voxel is set.
    /// </summary>
    public static (int[] Lo, int[] Hi)? Of(ReadOnlySpan<bool> a, ReadOnlySpan<bool> b, int[] shape)
    {
        int[] lo = [int.MaxValue, int.MaxValue, int.MaxValue];
        int[] hi = [-1, -1, -1];
        var i = 0;
        for (var z = 0; z < shape[2]; z++)
        {
            for (var y = 0; y < shape[1]; y++)
            {
                for (var x = 0; x < shape[0]; x++, i++)
                {
                    if (a[i] || b[i])
                    {
                        lo[0] = Math.Min(lo[0], x);
                        hi[0] = Math.Max(hi[0], x);
                        lo[1] = Math.Min(lo[1], y);
                        hi[1] = Math.Max(hi[1], y);
                        lo[2] = Math.Min(lo[2], z);
                        hi[2] = Math.Max(hi[2], z);
                    }
                }
            }
        }

        return hi[0] < 0 ? null : (lo, hi);
    }
}
