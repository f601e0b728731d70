using SegAN.Models;

namespace SegAN.Experiments;

/// <summary>A published mean Dice per region (WT, TC, ET) and where it comes from.</summary>
public sealed record PaperDice(double Wt, double Tc, double Et, string Source);

/// <summary>
/// The paper's numbers to print beside a reproduction (Xue et al. 2017): mean validation Dice of the five SegAN
/// variants on BRATS 2015 training data (Fig. 2), and BRATS 2015 test Dice of SegAN (S3-3C) and the U-Net
/// baseline (Table 1).
/// </summary>
public static class PaperResults
{
    /// <summary>Fig. 2, mean validation Dice.</summary>
    public const string Figure2 = "paper Fig. 2 (BRATS 2015 validation)";

    /// <summary>Table 1, BRATS 2015 test.</summary>
    public const string Table1 = "paper Table 1 (BRATS 2015 test)";

    /// <summary>SegAN (S3-3C) on the BRATS 2015 test set (Table 1).</summary>
    public static PaperDice SegANTest { get; } = new(0.85, 0.70, 0.66, Table1);

    /// <summary>The paper's Dice for <paramref name="variant"/>: Fig. 2 for SegAN variants, Table 1 for U-Net.</summary>
    public static PaperDice For(Variant variant) => variant switch
    {
        Variant.S1_1C => new(0.841, 0.692, 0.648, Figure2),
        Variant.S3_1C => new(0.800, 0.681, 0.634, Figure2),
        Variant.S3_3C => new(0.848, 0.703, 0.651, Figure2),
        Variant.S3_3C_S0 => new(0.796, 0.676, 0.630, Figure2),
        Variant.S3_3C_S3 => new(0.787, 0.647, 0.618, Figure2),
        Variant.UNet => new(0.80, 0.63, 0.64, Table1),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown variant."),
    };
}
