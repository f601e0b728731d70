namespace SegAN.Data;

/// <summary>
/// Preprocessing: each modality z-scored over its brain voxels (optionally clipped at brain percentiles first), then a
/// crop centred on the brain whose axial slices the networks see. The paper does not say how it normalised
/// intensities; the default clips nothing, as nnU-Net's MRI normalisation and the PyTorch yardstick do: clipping at
/// 0.5/99.5 flattens the brightest T1c voxels, where enhancing tumour lies, and at the full benchmark budget on the
/// realistic phantoms it cost all of the enhancing tumour (docs/quality.md). The default grid, 192 x 192 x 155
/// (x, y, z), holds a whole BraTS brain: the paper's 180 x 180 x 128 (<see cref="Paper"/>) cuts the top or bottom
/// of brains taller than 128 mm, and tumour there could never be segmented; 192 is a multiple of 16, so whole slices
/// need no padding.
/// </summary>
/// <param name="LowerPercentile">Clip each modality below this percentile of its brain voxels. Default 0 (no clipping).</param>
/// <param name="UpperPercentile">Clip each modality above this percentile of its brain voxels. Default 100 (no clipping).</param>
/// <param name="CropX">Width of the prepared grid (x, left-right). Default 192 (the paper: 180).</param>
/// <param name="CropY">Height of the prepared grid (y, posterior-anterior). Default 192 (the paper: 180).</param>
/// <param name="CropZ">Number of axial slices (z). Default 155, BraTS's full depth (the paper: 128).</param>
public sealed record PreprocessOptions(
    double LowerPercentile = 0,
    double UpperPercentile = 100,
    int CropX = 192,
    int CropY = 192,
    int CropZ = 155)
{
    /// <summary>The defaults: z-scores without clipping, a grid that holds a whole BraTS brain.</summary>
    public static PreprocessOptions Default { get; } = new();

    /// <summary>The paper's grid, 180 x 180 x 128, with the default normalisation (the paper does not give one).</summary>
    public static PreprocessOptions Paper { get; } = new(CropX: 180, CropY: 180, CropZ: 128);

    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public PreprocessOptions Validate()
    {
        if (!(LowerPercentile >= 0 && LowerPercentile < UpperPercentile && UpperPercentile <= 100))
        {
            throw new SegANException(Setting.Percentiles, $"clip percentiles {LowerPercentile} and {UpperPercentile} must satisfy 0 <= lower < upper <= 100");
        }

        if (CropX < 1 || CropY < 1 || CropZ < 1)
        {
            throw new SegANException(Setting.Crop, $"crop size {CropX}x{CropY}x{CropZ} must be positive");
        }

        // The prepared grid is allocated per case and modality: it obeys the same ceiling as an image file.
        Imaging.ImageLimits.CheckVoxels("crop", [CropX, CropY, CropZ], "prepared grid", Setting.Crop);

        return this;
    }
}
