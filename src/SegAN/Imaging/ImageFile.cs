using System.Globalization;

namespace SegAN.Imaging;

/// <summary>File formats <see cref="ImageFile"/> reads.</summary>
public enum ImageFormat
{
    /// <summary>NIfTI-1 (<c>.nii</c>, <c>.nii.gz</c>).</summary>
    Nifti1,
    /// <summary>NIfTI-2 (<c>.nii</c>, <c>.nii.gz</c>, 64-bit header).</summary>
    Nifti2,
    /// <summary>ITK MetaImage (<c>.mha</c>, <c>.mhd</c>).</summary>
    MetaImage,
    /// <summary>A stack of PNG slices.</summary>
    Png,
}

/// <summary>
/// What a file holds, format-independent: full shape (3 or 4 entries), voxel sizes, on-disk voxel type, byte
/// order and the RAS voxel-to-world affine.
/// </summary>
public sealed record ImageInfo(string Path, ImageFormat Format, long[] Shape, double[] Spacing, NiftiDataType DataType, bool BigEndian, double[,] Affine)
{
    /// <summary>"NIfTI-1", "NIfTI-2", "MetaImage" or "PNG".</summary>
    public string FormatName => Format switch
    {
        ImageFormat.Nifti1 => "NIfTI-1",
        ImageFormat.Nifti2 => "NIfTI-2",
        ImageFormat.Png => "PNG",
        _ => "MetaImage",
    };

    /// <summary>Three letters for the affine's axis directions, e.g. RAS or LPS.</summary>
    public string Orientation => Affines.OrientationCode(Affine);
}

/// <summary>A file's facts and every 3D volume in it.</summary>
public sealed record ImageData(ImageInfo Info, IReadOnlyList<Volume> Volumes);

/// <summary>
/// Reads and writes images by file extension: <c>.nii</c>/<c>.nii.gz</c> (NIfTI-1 or -2, read and write),
/// <c>.mha</c>/<c>.mhd</c> (MetaImage, read only) and <c>.png</c> (read only; one volume per colour channel, see
/// <see cref="PngImage"/>).
/// </summary>
public static class ImageFile
{
    /// <summary>
    /// Volume file extensions (NIfTI, MetaImage). PNG is read too but not listed: folders of volumes often hold
    /// PNG previews that must not count as cases.
    /// </summary>
    public static IReadOnlyList<string> Extensions { get; } = [".nii", ".nii.gz", ".mha", ".mhd"];

    /// <summary>True when <paramref name="path"/> is a volume file (one of <see cref="Extensions"/>; not PNG).</summary>
    public static bool IsImagePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Reads a file holding one 3D (or 2D) volume; a 4D file (or a colour PNG) is an error.</summary>
    public static Volume Read(string path) => FormatOf(path) switch
    {
        ImageFormat.MetaImage => MetaImageFile.ReadVolume(path),
        ImageFormat.Png => PngImage.ReadChannels(path) is [var gray] ? gray
            : throw new SegANException($"{path}: a colour PNG where one grayscale image is required (PngImage.ReadChannels gives its channels)"),
        _ => NiftiFile.ReadVolume(path),
    };

    /// <summary>Reads a file's facts and all its volumes (a 4D file gives several).</summary>
    public static ImageData ReadAll(string path)
    {
        if (FormatOf(path) == ImageFormat.MetaImage)
        {
            var m = MetaImageFile.Read(path);
            var info = new ImageInfo(path, ImageFormat.MetaImage, [.. m.Shape.Select(d => (long)d)], m.Spacing, m.DataType, m.BigEndian, m.Geometry.Affine);
            return new ImageData(info, m.Volumes);
        }

        if (FormatOf(path) == ImageFormat.Png)
        {
            var channels = PngImage.ReadChannels(path);
            var g = channels[0].Geometry;
            var info = new ImageInfo(path, ImageFormat.Png, [g.Shape[0], g.Shape[1], channels.Length], [1, 1], NiftiDataType.UInt8, false, g.Affine);
            return new ImageData(info, channels);
        }

        var n = NiftiFile.Read(path);
        return new ImageData(Info(path, n.Header), n.Volumes);
    }

    /// <summary>Reads a file's facts; for NIfTI only the header is read.</summary>
    public static ImageInfo ReadInfo(string path) => FormatOf(path) is ImageFormat.Nifti1 or ImageFormat.Nifti2
        ? Info(path, NiftiFile.ReadHeader(path))
        : ReadAll(path).Info;

    /// <summary>
    /// Writes a volume as NIfTI (<c>.nii</c> or <c>.nii.gz</c>, NIfTI-1, little-endian) with the given on-disk
    /// type, atomically; see <see cref="NiftiFile.Write(string, Volume, NiftiDataType, NiftiVersion, bool)"/>.
    /// </summary>
    public static void Write(string path, Volume volume, NiftiDataType dataType = NiftiDataType.Float32)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (FormatOf(path) is ImageFormat.MetaImage or ImageFormat.Png)
        {
            throw new SegANException($"{path}: writing this format is not supported; write .nii or .nii.gz");
        }

        NiftiFile.Write(path, volume, dataType);
    }

    private static ImageFormat FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".mha", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".mhd", StringComparison.OrdinalIgnoreCase))
        {
            return ImageFormat.MetaImage;
        }

        if (path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
        {
            return ImageFormat.Nifti1; // refined by the header
        }

        if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            return ImageFormat.Png;
        }

        throw new SegANException($"{path}: unknown image file type; expected {string.Join(", ", Extensions)} or .png");
    }

    private static ImageInfo Info(string path, NiftiHeader h) => new(
        path,
        h.Version == NiftiVersion.Nifti2 ? ImageFormat.Nifti2 : ImageFormat.Nifti1,
        h.Shape,
        h.Version == NiftiVersion.Nifti1 ? [.. h.Pixdim[1..(int)(h.Dim[0] + 1)].Select(ShortestFloat32)] : h.Pixdim[1..(int)(h.Dim[0] + 1)],
        h.DataType,
        h.BigEndian,
        h.Affine);

    // NIfTI-1 voxel sizes are float32: report 2.2, not 2.2000000476837158 (the decimal the writer meant).
    private static double ShortestFloat32(double v) =>
        double.Parse(((float)v).ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
}
