namespace SegAN.Metrics;

/// <summary>
/// The grid a binary mask lives on: three sizes (x fastest, as in <see cref="SegAN.Imaging.Volume"/>) and the
/// voxel spacing in millimetres. Validated once, so the metric functions can trust it.
/// </summary>
public sealed record MaskGrid
{
    /// <summary>A grid of the given extents (x, y, z) and spacings (mm).</summary>
    public MaskGrid(int[] shape, double[] spacing)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(spacing);
        if (shape.Length != 3)
        {
            throw new ArgumentException($"shape must have 3 sizes, got {shape.Length}", nameof(shape));
        }

        if (spacing.Length != 3)
        {
            throw new ArgumentException($"spacing must have 3 values, got {spacing.Length}", nameof(spacing));
        }

        for (var i = 0; i < 3; i++)
        {
            if (shape[i] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(shape), shape[i], $"shape[{i}] must be at least 1");
            }

            if (!(spacing[i] > 0) || double.IsInfinity(spacing[i]))
            {
                throw new ArgumentOutOfRangeException(nameof(spacing), spacing[i], $"spacing[{i}] must be a positive finite number of millimetres");
            }
        }

        Shape = (int[])shape.Clone();
        Spacing = (double[])spacing.Clone();
        VoxelCount = (long)shape[0] * shape[1] * shape[2];
    }

    /// <summary>Sizes along x, y, z (x fastest).</summary>
    public int[] Shape { get; }

    /// <summary>Voxel sizes along x, y, z in millimetres.</summary>
    public double[] Spacing { get; }

    /// <summary>Voxels in the grid.</summary>
    public long VoxelCount { get; }

    /// <summary>A grid with 1 mm isotropic voxels.</summary>
    public static MaskGrid Isotropic(int nx, int ny, int nz) => new([nx, ny, nz], [1, 1, 1]);

    /// <summary>Throws unless <paramref name="mask"/> has one value per voxel of this grid.</summary>
    public void CheckLength(ReadOnlySpan<bool> mask, string paramName)
    {
        if (mask.Length != VoxelCount)
        {
            throw new ArgumentException($"{paramName} has {mask.Length} voxels but the grid {Shape[0]}x{Shape[1]}x{Shape[2]} has {VoxelCount}", paramName);
        }
    }
}
