namespace SegAN.Imaging;

/// <summary>
/// A 3D scalar image in memory: float32 voxels in NIfTI order (x fastest, then y, then z), with the geometry
/// that maps voxels to the world. Label maps are volumes too (integral values).
/// </summary>
public sealed class Volume
{
    /// <summary>A volume of <paramref name="data"/> (x fastest, then y, then z) on <paramref name="geometry"/>.</summary>
    public Volume(float[] data, ImageGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(geometry);
        if (geometry.Shape.Length != 3)
        {
            throw new ArgumentException($"a volume is 3D; geometry has {geometry.Shape.Length} dimensions", nameof(geometry));
        }

        var count = (long)geometry.Shape[0] * geometry.Shape[1] * geometry.Shape[2];
        if (data.Length != count)
        {
            throw new ArgumentException($"data has {data.Length} voxels but shape {geometry.Shape[0]}x{geometry.Shape[1]}x{geometry.Shape[2]} needs {count}", nameof(data));
        }

        Data = data;
        Geometry = geometry;
    }

    /// <summary>Voxels, x fastest: index = x + Nx * (y + Ny * z).</summary>
    public float[] Data { get; }

    /// <summary>Voxel grid, spacing and world orientation.</summary>
    public ImageGeometry Geometry { get; }

    /// <summary>Voxels along x.</summary>
    public int Nx => Geometry.Shape[0];

    /// <summary>Voxels along y.</summary>
    public int Ny => Geometry.Shape[1];

    /// <summary>Voxels along z.</summary>
    public int Nz => Geometry.Shape[2];

    /// <summary>The voxel at (x, y, z).</summary>
    public float this[int x, int y, int z]
    {
        get => Data[Index(x, y, z)];
        set => Data[Index(x, y, z)] = value;
    }

    /// <summary>The position of voxel (x, y, z) in <see cref="Data"/>.</summary>
    public int Index(int x, int y, int z) => x + (Nx * (y + (Ny * z)));

    /// <summary>A volume of the same geometry with other voxels (a label map for this image, say).</summary>
    public Volume WithData(float[] data) => new(data, Geometry);
}
