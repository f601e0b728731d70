namespace SegAN.Data;

/// <summary>
/// Where the prepared grid sits in the source volume: prepared voxel (x, y, z) is source voxel
/// (X0 + x, Y0 + y, Z0 + z). Offsets are negative, or the window larger than the source, where the source was
/// padded. Together with the source shape it restores any prepared-grid array into the source geometry exactly.
/// </summary>
public sealed record CropWindow(int X0, int Y0, int Z0, int SizeX, int SizeY, int SizeZ, int SourceX, int SourceY, int SourceZ)
{
    /// <summary>Voxels in the prepared grid.</summary>
    public int Count => SizeX * SizeY * SizeZ;

    /// <summary>
    /// A window of the given size centred on [min, max] (inclusive voxel bounds per axis), moved inside the
    /// source where the source is large enough and centred over it (padding both sides) where it is not.
    /// </summary>
    public static CropWindow Centred(int[] sourceShape, int[] size, int[] min, int[] max)
    {
        var start = new int[3];
        for (var a = 0; a < 3; a++)
        {
            if (sourceShape[a] >= size[a])
            {
                // floor((min + max + 1 - size) / 2): the box's centre at the window's centre.
                var s = (int)Math.Floor((min[a] + max[a] + 1 - size[a]) / 2.0);
                start[a] = Math.Clamp(s, 0, sourceShape[a] - size[a]);
            }
            else
            {
                start[a] = -(int)Math.Ceiling((size[a] - sourceShape[a]) / 2.0);
            }
        }

        return new CropWindow(start[0], start[1], start[2], size[0], size[1], size[2], sourceShape[0], sourceShape[1], sourceShape[2]);
    }

    /// <summary>
    /// The window's voxels of a source array (x fastest), in prepared order z, y, x (x fastest), with
    /// <paramref name="fill"/> outside the source.
    /// </summary>
    public T[] Extract<T>(ReadOnlySpan<T> source, T fill = default)
        where T : unmanaged
    {
        CheckSource(source.Length);
        var result = new T[Count];
        result.AsSpan().Fill(fill);
        foreach (var (p, src, run) in Runs())
        {
            source.Slice(src, run).CopyTo(result.AsSpan(p, run));
        }

        return result;
    }

    /// <summary>
    /// A prepared-grid array (z, y, x; x fastest) back in the source grid (x fastest, SourceX x SourceY x SourceZ),
    /// default (0) outside the window: the inverse of <see cref="Extract{T}"/> on the voxels the window covers.
    /// </summary>
    public T[] Restore<T>(ReadOnlySpan<T> prepared)
        where T : unmanaged
    {
        if (prepared.Length != Count)
        {
            throw new ArgumentException($"prepared array has {prepared.Length} values; the window holds {Count}", nameof(prepared));
        }

        var result = new T[SourceX * SourceY * SourceZ];
        foreach (var (p, src, run) in Runs())
        {
            prepared.Slice(p, run).CopyTo(result.AsSpan(src, run));
        }

        return result;
    }

    private void CheckSource(int length)
    {
        if (length != SourceX * SourceY * SourceZ)
        {
            throw new ArgumentException($"source array has {length} values; the source grid {SourceX}x{SourceY}x{SourceZ} holds {SourceX * SourceY * SourceZ}");
        }
    }

    // One (prepared index, source index, length) per x-run shared by the window and the source.
    private IEnumerable<(int Prepared, int Source, int Length)> Runs()
    {
        var x0 = Math.Max(0, -X0);
        var x1 = Math.Min(SizeX, SourceX - X0);
        if (x1 <= x0)
        {
            yield break;
        }

        for (var z = Math.Max(0, -Z0); z < Math.Min(SizeZ, SourceZ - Z0); z++)
        {
            for (var y = Math.Max(0, -Y0); y < Math.Min(SizeY, SourceY - Y0); y++)
            {
                var prepared = x0 + (SizeX * (y + (SizeY * z)));
                var source = X0 + x0 + (SourceX * (Y0 + y + (SourceY * (Z0 + z))));
                yield return (prepared, source, x1 - x0);
            }
        }
    }
}
