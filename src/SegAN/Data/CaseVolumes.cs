using System.Globalization;
using SegAN.Imaging;

namespace SegAN.Data;

/// <summary>
/// A case's images in memory, one per modality in channel order, and its label map when it has one. The
/// constructor checks that every image shares the first modality's shape and geometry (affine within 1e-3)
/// and that the label map has the same shape, naming the case and the offending file otherwise.
/// </summary>
public sealed class CaseVolumes
{
    /// <summary>Largest difference allowed between two images' affine entries (mm).</summary>
    public const double AffineTolerance = 1e-3;

    /// <summary>A case read into memory: its files, one volume per modality (in the layout's order) and its label map, if any.</summary>
    public CaseVolumes(CaseFiles files, IReadOnlyList<Volume> modalities, Volume? segmentation)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(modalities);
        if (modalities.Count != files.ModalityFiles.Count || modalities.Count == 0)
        {
            throw new ArgumentException($"{modalities.Count} volumes for {files.ModalityFiles.Count} modality files", nameof(modalities));
        }

        var first = modalities[0].Geometry;
        for (var i = 1; i < modalities.Count; i++)
        {
            var g = modalities[i].Geometry;
            if (!g.Shape.SequenceEqual(first.Shape))
            {
                throw new SegANException(
                    $"case {files.Name}: {files.ModalityFiles[i]} has shape {Shape(g.Shape)} but {files.ModalityFiles[0]} has {Shape(first.Shape)}");
            }

            var worst = MaxAffineDifference(g.Affine, first.Affine);
            if (worst > AffineTolerance)
            {
                throw new SegANException(
                    $"case {files.Name}: {files.ModalityFiles[i]} has another voxel-to-world affine than {files.ModalityFiles[0]} (entries differ by up to {worst.ToString("G4", CultureInfo.InvariantCulture)} mm)");
            }
        }

        if (segmentation is not null && !segmentation.Geometry.Shape.SequenceEqual(first.Shape))
        {
            throw new SegANException(
                $"case {files.Name}: {files.SegFile ?? "segmentation"} has shape {Shape(segmentation.Geometry.Shape)} but {files.ModalityFiles[0]} has {Shape(first.Shape)}");
        }

        Files = files;
        Modalities = [.. modalities];
        Segmentation = segmentation;
    }

    /// <summary>The files the volumes were read from.</summary>
    public CaseFiles Files { get; }

    /// <summary>One image per modality, channel order.</summary>
    public IReadOnlyList<Volume> Modalities { get; }

    /// <summary>The label map, or null.</summary>
    public Volume? Segmentation { get; }

    /// <summary>Warnings from reading the case (non-finite voxels counted as background, see <see cref="NonFiniteVoxels"/>), each naming its file.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The first modality's geometry, shared by every image of the case.</summary>
    public ImageGeometry Geometry => Modalities[0].Geometry;

    private static string Shape(int[] shape) => string.Join("x", shape.Select(s => s.ToString(CultureInfo.InvariantCulture)));

    private static double MaxAffineDifference(double[,] a, double[,] b)
    {
        var worst = 0.0;
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                worst = Math.Max(worst, Math.Abs(a[r, c] - b[r, c]));
            }
        }

        return worst;
    }
}
