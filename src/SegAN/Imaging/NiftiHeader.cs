using System.Globalization;

namespace SegAN.Imaging;

/// <summary>The NIfTI format generation: NIfTI-1 (348-byte header, float32 fields) or NIfTI-2 (540 bytes, 64-bit).</summary>
public enum NiftiVersion
{
    /// <summary>NIfTI-1: a 348-byte header with 16- and 32-bit fields.</summary>
    Nifti1 = 1,
    /// <summary>NIfTI-2: a 540-byte header with 64-bit fields.</summary>
    Nifti2 = 2,
}

/// <summary>
/// The fields of a NIfTI-1 or NIfTI-2 header that SegAN uses, version-independent (NIfTI-1's float32 and int16
/// fields widened). <see cref="Dim"/> and <see cref="Pixdim"/> have 8 entries as in the standard: [0] is the
/// number of dimensions (dim) or qfac (pixdim).
/// </summary>
public sealed partial record NiftiHeader
{
    /// <summary>Bytes in a NIfTI-1 header.</summary>
    public const int Nifti1HeaderSize = 348;
    /// <summary>Bytes in a NIfTI-2 header.</summary>
    public const int Nifti2HeaderSize = 540;

    /// <summary>NIfTI-1 or NIfTI-2.</summary>
    public NiftiVersion Version { get; init; } = NiftiVersion.Nifti1;

    /// <summary>True when the file's numbers are big-endian (detected from sizeof_hdr).</summary>
    public bool BigEndian { get; init; }

    /// <summary>How voxels are stored.</summary>
    public NiftiDataType DataType { get; init; } = NiftiDataType.Float32;

    /// <summary><c>dim</c>: the number of dimensions, then the extent of each (8 entries).</summary>
    public long[] Dim { get; init; } = [3, 1, 1, 1, 1, 1, 1, 1];

    /// <summary><c>pixdim</c>: qfac, then the spacing of each dimension (8 entries).</summary>
    public double[] Pixdim { get; init; } = [1, 1, 1, 1, 1, 1, 1, 1];

    /// <summary>Byte offset of the voxel data in the (decompressed) file: after the header and any extensions.</summary>
    public long VoxOffset { get; init; }

    /// <summary><c>scl_slope</c>: stored values are multiplied by it when it is neither 0 nor non-finite.</summary>
    public double SclSlope { get; init; }

    /// <summary><c>scl_inter</c>: added after the slope.</summary>
    public double SclInter { get; init; }

    /// <summary><c>qform_code</c>: what the quaternion transform means (0: unused).</summary>
    public int QformCode { get; init; }

    /// <summary><c>sform_code</c>: what the affine rows mean (0: unused).</summary>
    public int SformCode { get; init; }

    /// <summary><c>quatern_b</c> of the qform rotation.</summary>
    public double QuaternB { get; init; }

    /// <summary><c>quatern_c</c> of the qform rotation.</summary>
    public double QuaternC { get; init; }

    /// <summary><c>quatern_d</c> of the qform rotation.</summary>
    public double QuaternD { get; init; }

    /// <summary><c>qoffset_x</c>: the qform translation in x (mm).</summary>
    public double QoffsetX { get; init; }

    /// <summary><c>qoffset_y</c>: the qform translation in y (mm).</summary>
    public double QoffsetY { get; init; }

    /// <summary><c>qoffset_z</c>: the qform translation in z (mm).</summary>
    public double QoffsetZ { get; init; }

    /// <summary><c>srow_x</c>: the first row of the sform affine.</summary>
    public double[] SrowX { get; init; } = [0, 0, 0, 0];

    /// <summary><c>srow_y</c>: the second row of the sform affine.</summary>
    public double[] SrowY { get; init; } = [0, 0, 0, 0];

    /// <summary><c>srow_z</c>: the third row of the sform affine.</summary>
    public double[] SrowZ { get; init; } = [0, 0, 0, 0];

    /// <summary><c>xyzt_units</c>: the spatial and temporal units.</summary>
    public int XyztUnits { get; init; }

    /// <summary><c>descrip</c>: free text (80 bytes at most in the file).</summary>
    public string Description { get; init; } = "";

    /// <summary>Dimensions in use: dim[1..dim[0]].</summary>
    public long[] Shape => Dim[1..(int)(Dim[0] + 1)];

    /// <summary>Voxels per 3D volume (dim[1]·dim[2]·dim[3], missing ones count as 1).</summary>
    public long VoxelsPerVolume => Extent(1) * Extent(2) * Extent(3);

    /// <summary>3D volumes in the file: the product of dim[4..dim[0]] (1 for a 3D image).</summary>
    public long VolumeCount
    {
        get
        {
            long n = 1;
            for (var i = 4; i <= Dim[0]; i++)
            {
                n *= Dim[i];
            }

            return n;
        }
    }

    /// <summary>True when scl_slope rescales the stored values (slope neither 0 nor NaN nor infinite).</summary>
    public bool HasScaling => SclSlope != 0 && double.IsFinite(SclSlope);

    /// <summary>Voxel sizes of the three spatial axes (|pixdim[1..3]|; 0 counts as 1).</summary>
    public double[] Spacing => [SpacingOf(1), SpacingOf(2), SpacingOf(3)];

    /// <summary>
    /// The voxel-to-world affine: the sform when sform_code &gt; 0, else the qform when qform_code &gt; 0, else
    /// diag(pixdim) (the standard's method 1, without its half-voxel quirks).
    /// </summary>
    public double[,] Affine
    {
        get
        {
            if (SformCode > 0)
            {
                var a = new double[4, 4];
                for (var j = 0; j < 4; j++)
                {
                    a[0, j] = SrowX[j];
                    a[1, j] = SrowY[j];
                    a[2, j] = SrowZ[j];
                }

                a[3, 3] = 1;
                return a;
            }

            if (QformCode > 0)
            {
                return Affines.FromQuaternion(QuaternB, QuaternC, QuaternD, QoffsetX, QoffsetY, QoffsetZ, Pixdim[1], Pixdim[2], Pixdim[3], Pixdim[0]);
            }

            return Affines.FromSpacing(Spacing);
        }
    }

    /// <summary>The header's geometry fields, as <see cref="ImageGeometry.Nifti"/> keeps them.</summary>
    public NiftiGeometry Geometry => new(
        (double[])Pixdim.Clone(), QformCode, SformCode, QuaternB, QuaternC, QuaternD, QoffsetX, QoffsetY, QoffsetZ,
        (double[])SrowX.Clone(), (double[])SrowY.Clone(), (double[])SrowZ.Clone(), XyztUnits);

    private long Extent(int i) => i <= Dim[0] ? Dim[i] : 1;

    private double SpacingOf(int i) => Pixdim[i] == 0 || !double.IsFinite(Pixdim[i]) ? 1 : Math.Abs(Pixdim[i]);

    private NiftiHeader Validated(string path)
    {
        if (Dim[0] is < 1 or > 7)
        {
            throw new SegANException($"{path}: invalid NIfTI dim[0] = {Dim[0].ToString(CultureInfo.InvariantCulture)} (number of dimensions must be 1 to 7)");
        }

        for (var i = 1; i <= Dim[0]; i++)
        {
            if (Dim[i] < 1)
            {
                throw new SegANException($"{path}: invalid NIfTI dim[{i.ToString(CultureInfo.InvariantCulture)}] = {Dim[i].ToString(CultureInfo.InvariantCulture)} (must be at least 1)");
            }
        }

        var minOffset = Version == NiftiVersion.Nifti1 ? Nifti1HeaderSize : Nifti2HeaderSize;
        if (VoxOffset == 0)
        {
            // Some old writers leave vox_offset 0 in single files; the data then follows the header and the
            // 4 extension bytes, as the standard's minimum says.
            return this with { VoxOffset = minOffset + 4 };
        }

        if (VoxOffset < minOffset)
        {
            throw new SegANException($"{path}: invalid vox_offset {VoxOffset.ToString(CultureInfo.InvariantCulture)} (the data cannot start inside the {minOffset.ToString(CultureInfo.InvariantCulture)}-byte header)");
        }

        // Checked: dims from a hostile header may multiply past 64 bits.
        long voxels = 1;
        try
        {
            for (var i = 1; i <= Dim[0]; i++)
            {
                voxels = checked(voxels * Dim[i]);
            }
        }
        catch (OverflowException)
        {
            throw new SegANException($"{path}: NIfTI dims {string.Join('x', Shape)} multiply to more voxels than 64 bits hold; the header is corrupt");
        }

        if (VoxelsPerVolume > Array.MaxLength || VolumeCount > Array.MaxLength || Shape.Take(3).Any(d => d > int.MaxValue))
        {
            throw new SegANException($"{path}: NIfTI dims {string.Join('x', Shape)} are too large to hold in memory");
        }

        return this;
    }

    private static string Printable(string s) =>
        new([.. s.Select(ch => ch is >= ' ' and <= '~' ? ch : '?')]);
}
