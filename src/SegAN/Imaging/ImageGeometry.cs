namespace SegAN.Imaging;

/// <summary>
/// Where voxels sit in the world: shape, voxel sizes and the voxel-to-world affine (NIfTI convention: RAS+ mm;
/// the sform when its code is above 0, else the qform, else the voxel sizes). Readers fill the NIfTI fields
/// (<see cref="Nifti"/>) so that a label map written for an image copies the image's header geometry exactly.
/// </summary>
public sealed record ImageGeometry(int[] Shape, double[] Spacing, double[,] Affine)
{
    /// <summary>The source header's geometry fields, when the image came from (or is written as) NIfTI.</summary>
    public NiftiGeometry? Nifti { get; init; }

    /// <summary>A geometry with axis-aligned voxels of the given size and the origin at voxel 0.</summary>
    public static ImageGeometry FromSpacing(int[] shape, double[] spacing)
    {
        var affine = new double[4, 4];
        for (var i = 0; i < 3; i++)
        {
            affine[i, i] = spacing[i];
        }

        affine[3, 3] = 1;
        return new ImageGeometry((int[])shape.Clone(), (double[])spacing.Clone(), affine);
    }
}

/// <summary>
/// The NIfTI header fields that define geometry, copied verbatim from a source header (pixdim, qform and
/// sform with their codes, units).
/// </summary>
public sealed record NiftiGeometry(
    double[] Pixdim,
    int QformCode,
    int SformCode,
    double QuaternB,
    double QuaternC,
    double QuaternD,
    double QoffsetX,
    double QoffsetY,
    double QoffsetZ,
    double[] SrowX,
    double[] SrowY,
    double[] SrowZ,
    int XyztUnits);
