using System.Globalization;

namespace SegAN.Data;

/// <summary>
/// Maps BraTS label maps to the three nested region masks (WT, TC, ET) and back, for an explicit
/// <see cref="LabelConvention"/>. Region maps are region-major: <c>regions[r * n + i]</c> is 1 when voxel
/// <c>i</c> of <c>n</c> belongs to region <c>r</c> (0 WT, 1 TC, 2 ET), else 0.
/// </summary>
public static class BratsLabels
{
    /// <summary>Necrosis / necrotic core: 1 in every convention.</summary>
    public const int NecrosisLabel = 1;

    /// <summary>Peritumoural edema: 2 in every convention.</summary>
    public const int EdemaLabel = 2;

    /// <summary>Non-enhancing tumour, a label of its own only in BraTS 2013/2015.</summary>
    public const int NonEnhancingLabel2015 = 3;

    /// <summary>The BraTS 2024 post-treatment resection cavity, in no tumour region.</summary>
    public const int ResectionCavityLabel2024 = 4;

    /// <summary>The enhancing-tumour label: 4 up to BraTS 2021, 3 from BraTS 2023 on.</summary>
    public static int EnhancingLabel(LabelConvention convention) => convention switch
    {
        LabelConvention.Brats2015 or LabelConvention.Brats2021 => 4,
        LabelConvention.Brats2023 or LabelConvention.Brats2024Gli or LabelConvention.NnUNetBrats => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(convention), convention, "unknown label convention"),
    };

    /// <summary>Every label the convention allows, background 0 included, ascending.</summary>
    public static IReadOnlyList<int> Labels(LabelConvention convention) => convention switch
    {
        LabelConvention.Brats2015 => [0, 1, 2, 3, 4],
        LabelConvention.Brats2021 => [0, 1, 2, 4],
        LabelConvention.Brats2023 => [0, 1, 2, 3],
        LabelConvention.Brats2024Gli => [0, 1, 2, 3, 4],
        LabelConvention.NnUNetBrats => [0, 1, 2, 3],
        _ => throw new ArgumentOutOfRangeException(nameof(convention), convention, "unknown label convention"),
    };

    /// <summary>The labels that make up <paramref name="region"/> under <paramref name="convention"/>, ascending.</summary>
    public static IReadOnlyList<int> RegionLabels(LabelConvention convention, Region region) => (convention, region) switch
    {
        (LabelConvention.Brats2015, Region.WholeTumour) => [1, 2, 3, 4],
        (LabelConvention.Brats2015, Region.TumourCore) => [1, 3, 4],
        (LabelConvention.Brats2015, Region.EnhancingTumour) => [4],
        (LabelConvention.Brats2021, Region.WholeTumour) => [1, 2, 4],
        (LabelConvention.Brats2021, Region.TumourCore) => [1, 4],
        (LabelConvention.Brats2021, Region.EnhancingTumour) => [4],
        (LabelConvention.Brats2023 or LabelConvention.Brats2024Gli, Region.WholeTumour) => [1, 2, 3],
        (LabelConvention.Brats2023 or LabelConvention.Brats2024Gli, Region.TumourCore) => [1, 3],
        (LabelConvention.Brats2023 or LabelConvention.Brats2024Gli, Region.EnhancingTumour) => [3],
        (LabelConvention.NnUNetBrats, Region.WholeTumour) => [1, 2, 3],
        (LabelConvention.NnUNetBrats, Region.TumourCore) => [2, 3],
        (LabelConvention.NnUNetBrats, Region.EnhancingTumour) => [3],
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, "unknown region or convention"),
    };

    /// <summary>
    /// Region masks of a label map: <c>(3, n)</c> region-major bytes. Labels stored as floats are accepted when
    /// integral; any value outside the convention is a <see cref="SegANException"/> naming
    /// <paramref name="source"/> (the file), the value and the convention.
    /// </summary>
    public static byte[] ToRegions(ReadOnlySpan<float> labels, LabelConvention convention, string source)
    {
        // One lookup row per label value 0..4: (WT, TC, ET); -1 marks a value the convention does not use.
        var table = RegionTable(convention);
        var n = labels.Length;
        var regions = new byte[3 * n];
        for (var i = 0; i < n; i++)
        {
            var v = labels[i];
            var label = (int)v;
            if (label != v || label < 0 || label > 4 || table[label] < 0)
            {
                throw BadLabel(v, convention, source);
            }

            var bits = table[label];
            regions[i] = (byte)(bits & 1);
            regions[n + i] = (byte)((bits >> 1) & 1);
            regions[(2 * n) + i] = (byte)((bits >> 2) & 1);
        }

        return regions;
    }

    /// <summary>
    /// The label of one voxel from its region memberships. Regions are nested first (ET within TC within WT):
    /// ET gives the enhancing label, TC without ET the necrosis label 1, WT without TC the edema label 2.
    /// </summary>
    public static byte ToLabel(bool wholeTumour, bool tumourCore, bool enhancing, LabelConvention convention)
    {
        if (enhancing)
        {
            return (byte)EnhancingLabel(convention);
        }

        // nnU-Net's BraTS numbering swaps the two: edema 1, core 2.
        var nnunet = convention == LabelConvention.NnUNetBrats;
        if (tumourCore)
        {
            return nnunet ? (byte)EdemaLabel : (byte)NecrosisLabel;
        }

        return wholeTumour ? (nnunet ? (byte)NecrosisLabel : (byte)EdemaLabel) : (byte)0;
    }

    /// <summary>
    /// A label map from region masks <c>(3, n)</c> region-major (non-zero = inside), nesting them first (see
    /// <see cref="ToLabel"/>).
    /// </summary>
    public static byte[] FromRegions(ReadOnlySpan<byte> regions, LabelConvention convention)
    {
        if (regions.Length % 3 != 0)
        {
            throw new ArgumentException($"region maps hold 3 regions; length {regions.Length} is not a multiple of 3", nameof(regions));
        }

        var n = regions.Length / 3;
        var labels = new byte[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = ToLabel(regions[i] != 0, regions[n + i] != 0, regions[(2 * n) + i] != 0, convention);
        }

        return labels;
    }

    private static int[] RegionTable(LabelConvention convention)
    {
        var table = new[] { 0, -1, -1, -1, -1 };
        foreach (var label in Labels(convention))
        {
            table[label] = 0; // allowed, in no region until a region claims it (the 2024 resection cavity)
        }

        foreach (var region in LabelNames.Regions)
        {
            foreach (var label in RegionLabels(convention, region))
            {
                table[label] |= 1 << (int)region;
            }
        }

        return table;
    }

    private static SegANException BadLabel(float value, LabelConvention convention, string source)
    {
        var allowed = string.Join(", ", Labels(convention).Select(l => l.ToString(CultureInfo.InvariantCulture)));
        var kind = value == MathF.Round(value) ? "label" : "non-integral label";
        return new SegANException(
            $"{source}: {kind} {value.ToString("R", CultureInfo.InvariantCulture)} is not part of the {convention.Name()} label convention (labels {allowed})");
    }
}
