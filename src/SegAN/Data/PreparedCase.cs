using SegAN.Imaging;

namespace SegAN.Data;

/// <summary>
/// A case ready for slicing: normalised images on the prepared grid (Depth x Height x Width = z, y, x; 128 x 180
/// x 180 by default) and, when labelled, its region maps; held in memory once.
/// </summary>
/// <param name="Name">Case name (its folder).</param>
/// <param name="Group">Its group (HGG, LGG) or null.</param>
/// <param name="Modalities">Modality names in channel order.</param>
/// <param name="Depth">Number of axial slices (z).</param>
/// <param name="Height">Rows per slice (y).</param>
/// <param name="Width">Columns per slice (x).</param>
/// <param name="Image">(Z, C, H, W) row-major: <c>Image[((z * C + c) * H + y) * W + x]</c>, so one slice's channels are contiguous. Background is 0.</param>
/// <param name="Regions">(Z, 3, H, W) row-major 0/1 (WT, TC, ET), or null without labels.</param>
/// <param name="SliceHasBrain">Per z: whether the slice holds any brain voxel (training skips the others).</param>
/// <param name="Window">Where the grid sits in the source volume.</param>
/// <param name="SourceGeometry">The source images' geometry, for writing predictions in the input's space.</param>
/// <param name="Labels">Label convention of the source segmentation (and of restored predictions).</param>
public sealed record PreparedCase(
    string Name,
    string? Group,
    IReadOnlyList<string> Modalities,
    int Depth,
    int Height,
    int Width,
    float[] Image,
    byte[]? Regions,
    bool[] SliceHasBrain,
    CropWindow Window,
    ImageGeometry SourceGeometry,
    LabelConvention Labels)
{
    /// <summary>Warnings from reading the case (see <see cref="CaseVolumes.Warnings"/>).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Image channels (modalities).</summary>
    public int Channels => Modalities.Count;

    /// <summary>Voxels per axial slice of the prepared grid.</summary>
    public int SliceSize => Height * Width;

    /// <summary>
    /// Per voxel of the prepared grid (Z, H, W): whether any channel has signal (a non-zero normalised value), that
    /// is, the voxel is brain (or head) rather than the background the preprocessing set to 0.
    /// </summary>
    public bool[] Foreground()
    {
        var plane = SliceSize;
        var channels = Channels;
        var mask = new bool[Depth * plane];
        for (var z = 0; z < Depth; z++)
        {
            for (var c = 0; c < channels; c++)
            {
                var image = Image.AsSpan(((z * channels) + c) * plane, plane);
                var m = mask.AsSpan(z * plane, plane);
                for (var i = 0; i < plane; i++)
                {
                    m[i] |= image[i] != 0;
                }
            }
        }

        return mask;
    }

    /// <summary>
    /// A prepared-grid scalar map (Z, H, W) as a volume in the source geometry, 0 outside the crop window.
    /// </summary>
    public Volume Restore(ReadOnlySpan<float> grid) => new(Window.Restore(grid), SourceGeometry);

    /// <summary>
    /// Region maps on the prepared grid (Z, 3, H, W; non-zero = inside) as a label map in the source geometry,
    /// using <see cref="Labels"/>'s numbering after nesting the regions (see <see cref="BratsLabels.ToLabel"/>).
    /// </summary>
    public Volume RestoreLabels(ReadOnlySpan<byte> regions)
    {
        var plane = SliceSize;
        if (regions.Length != Depth * 3 * plane)
        {
            throw new ArgumentException($"region maps have {regions.Length} values; (Z, 3, H, W) = ({Depth}, 3, {Height}, {Width}) needs {Depth * 3 * plane}", nameof(regions));
        }

        var grid = new float[Depth * plane];
        for (var z = 0; z < Depth; z++)
        {
            var slice = regions.Slice(z * 3 * plane, 3 * plane);
            for (var i = 0; i < plane; i++)
            {
                grid[(z * plane) + i] = BratsLabels.ToLabel(slice[i] != 0, slice[plane + i] != 0, slice[(2 * plane) + i] != 0, Labels);
            }
        }

        return Restore(grid);
    }

    /// <summary>
    /// The label map in the source geometry from per-slice region outputs on centred crops (Z, 3, size, size):
    /// pasted back into the prepared grid (outside the crop counts as background), thresholded at
    /// <paramref name="threshold"/> (inside when above), nested and numbered as in <see cref="RestoreLabels"/>.
    /// </summary>
    public Volume LabelsFromCentreCrops(ReadOnlySpan<float> crops, int size = SliceCrop.PaperSize, float threshold = 0.5f)
    {
        var pasted = SliceCrop.PasteCentre(crops, Depth, SliceBatch.RegionCount, size, Height, Width);
        var regions = new byte[pasted.Length];
        for (var i = 0; i < pasted.Length; i++)
        {
            regions[i] = pasted[i] > threshold ? (byte)1 : (byte)0;
        }

        return RestoreLabels(regions);
    }
}
