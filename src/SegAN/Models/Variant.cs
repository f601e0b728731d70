namespace SegAN.Models;

/// <summary>
/// The SegAN configurations compared in the paper (Sec. 3.1, Fig. 2) plus its U-Net baseline (Table 1). A variant
/// is data: it selects how many segmentors and critics are built and which critic scales the loss uses.
/// </summary>
public enum Variant
{
    /// <summary>S1-1C: one one-channel segmentor and one critic per region (three SegANs side by side).</summary>
    S1_1C,

    /// <summary>S3-1C: one three-channel segmentor; one critic fed the three masked images concatenated.</summary>
    S3_1C,

    /// <summary>S3-3C (the paper's main model): one three-channel segmentor, one critic per region, losses averaged.</summary>
    S3_3C,

    /// <summary>S3-3C-s0: as S3-3C with the loss on scale 0 only (plain L1 between the masked images; no critic is trained).</summary>
    S3_3C_S0,

    /// <summary>S3-3C-s3: as S3-3C with the loss on the critics' last scale only.</summary>
    S3_3C_S3,

    /// <summary>The U-Net baseline: the same segmentor, four softmax classes, pixel-wise cross-entropy, no critic.</summary>
    UNet,
}

/// <summary>Which critic scales enter the multi-scale L1 loss.</summary>
public enum LossScales
{
    /// <summary>Every scale i = 0..L (the paper's multi-scale loss).</summary>
    All,

    /// <summary>Scale 0 only: the masked inputs themselves.</summary>
    InputOnly,

    /// <summary>The critic's last scale only.</summary>
    LastOnly,
}

/// <summary>What each <see cref="Variant"/> builds, and its command-line name.</summary>
public static class VariantExtensions
{
    /// <summary>Every variant in declaration order.</summary>
    public static IReadOnlyList<Variant> All { get; } = Enum.GetValues<Variant>();

    /// <summary>The command-line name: s1-1c, s3-1c, s3-3c, s3-3c-s0, s3-3c-s3, unet.</summary>
    public static string CliName(this Variant variant) => variant switch
    {
        Variant.S1_1C => "s1-1c",
        Variant.S3_1C => "s3-1c",
        Variant.S3_3C => "s3-3c",
        Variant.S3_3C_S0 => "s3-3c-s0",
        Variant.S3_3C_S3 => "s3-3c-s3",
        Variant.UNet => "unet",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown variant."),
    };

    /// <summary>Parses a command-line name (case-insensitive); the error lists the valid names.</summary>
    public static Variant ParseVariant(string text)
    {
        foreach (var v in All)
        {
            if (string.Equals(v.CliName(), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        throw new SegANException(
            $"variant '{text}' is not one of {string.Join(", ", All.Select(v => v.CliName()))}.");
    }

    /// <summary>Number of separate segmentor networks: three for S1-1C, else one.</summary>
    public static int SegmentorCount(this Variant variant) => variant == Variant.S1_1C ? 3 : 1;

    /// <summary>Output maps of each segmentor: 1 (S1-1C), 4 softmax classes (U-Net), else 3 sigmoid regions.</summary>
    public static int SegmentorOutputs(this Variant variant) => variant switch
    {
        Variant.S1_1C => 1,
        Variant.UNet => 4,
        _ => 3,
    };

    /// <summary>Number of critics: 1 for S3-1C, none for S3-3C-s0 (its loss never reaches a critic layer) and U-Net, else 3.</summary>
    public static int CriticCount(this Variant variant) => variant switch
    {
        Variant.S3_1C => 1,
        Variant.S3_3C_S0 or Variant.UNet => 0,
        _ => 3,
    };

    /// <summary>Input channels of each critic: the modalities, times three for S3-1C's concatenated masked images.</summary>
    public static int CriticInputChannels(this Variant variant, int modalities) =>
        variant == Variant.S3_1C ? modalities * 3 : modalities;

    /// <summary>Which critic scales the loss uses.</summary>
    public static LossScales Scales(this Variant variant) => variant switch
    {
        Variant.S3_3C_S0 => LossScales.InputOnly,
        Variant.S3_3C_S3 => LossScales.LastOnly,
        _ => LossScales.All,
    };

    /// <summary>True for the variants trained with the multi-scale L1 loss (all but U-Net).</summary>
    public static bool UsesMultiScaleLoss(this Variant variant) => variant != Variant.UNet;
}
