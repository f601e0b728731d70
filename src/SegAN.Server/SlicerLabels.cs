using SegAN.Data;

namespace SegAN.Server;

/// <summary>
/// The label values the server sends and their names. Slicer's MONAI Label extension maps values 1..N to the names in
/// order, so the values are contiguous: BraTS 2023's 1 necrosis / non-enhancing tumour core, 2 edema, 3 enhancing
/// tumour. The names are entries of Slicer's generic anatomy colour table, so each segment gets its colour there;
/// the table has no "enhancing tumor", and "mass" is its entry for a tumour mass.
/// </summary>
internal static class SlicerLabels
{
    /// <summary>The convention of the label maps sent (values 1, 2, 3).</summary>
    public const LabelConvention Convention = LabelConvention.Brats2023;

    /// <summary>Name and value, in value order.</summary>
    public static IReadOnlyList<(string Name, int Value)> All { get; } =
    [
        ("necrosis", BratsLabels.NecrosisLabel),
        ("edema", BratsLabels.EdemaLabel),
        ("mass", BratsLabels.EnhancingLabel(Convention)),
    ];
}
