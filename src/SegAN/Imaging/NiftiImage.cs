namespace SegAN.Imaging;

/// <summary>
/// A NIfTI file in memory: its header (version, datatype, byte order, dims, pixdim, qform/sform) and its 3D
/// volumes (one for a 3D file; dim[4]·dim[5]·... for a 4D or higher file), values already scaled by scl_slope
/// and scl_inter. Every volume shares <see cref="Geometry"/>.
/// </summary>
public sealed record NiftiImage(string Path, NiftiHeader Header, IReadOnlyList<Volume> Volumes)
{
    /// <summary>NIfTI-1 or NIfTI-2, as read.</summary>
    public NiftiVersion Version => Header.Version;

    /// <summary>How the voxels were stored in the file.</summary>
    public NiftiDataType DataType => Header.DataType;

    /// <summary>Whether the file was big-endian.</summary>
    public bool BigEndian => Header.BigEndian;

    /// <summary>dim[1..dim[0]].</summary>
    public long[] Shape => Header.Shape;

    /// <summary>pixdim[1..dim[0]] as stored (spatial voxel sizes, then the time step...).</summary>
    public double[] Zooms => Header.Pixdim[1..(int)(Header.Dim[0] + 1)];

    /// <summary>Voxel grid, spacing and world orientation.</summary>
    public ImageGeometry Geometry => Volumes[0].Geometry;
}
