namespace SegAN.Data;

/// <summary>
/// Preprocessing as in the paper (section 3): per-modality percentile clipping and z-scoring over brain voxels,
/// then a centred crop to 180 x 180 x 128 voxels (x, y, z) whose axial slices the networks see.
/// </summary>
/// <param name="LowerPercentile">Clip each modality below this percentile of its brain voxels. Default 0.5.</param>
/// <param name="UpperPercentile">Clip each modality above this percentile of its brain voxels. Default 99.5.</param>
/// <param name="CropX">Width of the prepared grid (x, left-right). Default 180.</param>
/// <param name="CropY">Height of the prepared grid (y, posterior-anterior). Default 180.</param>
/// <param name="CropZ">Number of axial slices (z). Default 128.</param>
public sealed record PreprocessOptions(
    double LowerPercentile = 0.5,
    double UpperPercentile = 99.5,
    int CropX = 180,
    int CropY = 180,
    int CropZ = 128)
{
    /// <summary>The paper's settings.</summary>
    public static PreprocessOptions Paper { get; } = new();

    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public PreprocessOptions Validate()
    {
        if (!(LowerPercentile >= 0 && LowerPercentile < UpperPercentile && UpperPercentile <= 100))
        {
            throw new SegANException($"percentiles {LowerPercentile} and {UpperPercentile} must satisfy 0 <= lower < upper <= 100");
        }

        if (CropX < 1 || CropY < 1 || CropZ < 1)
        {
            throw new SegANException($"crop size {CropX}x{CropY}x{CropZ} must be positive");
        }

        // The prepared grid is allocated per case and modality: it obeys the same ceiling as an image file.
        Imaging.ImageLimits.CheckVoxels("--crop", [CropX, CropY, CropZ], "prepared grid");

        return this;
    }
}
