namespace SegAN.Data;

/// <summary>
/// How a BraTS release numbers its tumour labels. The releases disagree (the enhancing tumour is 4 up to 2021
/// and 3 in 2023), so a dataset always says which convention it follows and every label is checked against it.
/// </summary>
public enum LabelConvention
{
    /// <summary>BraTS 2013/2015: 1 necrosis, 2 edema, 3 non-enhancing tumour, 4 enhancing tumour.</summary>
    Brats2015,

    /// <summary>BraTS 2017-2021: 1 necrotic and non-enhancing core, 2 edema, 4 enhancing tumour.</summary>
    Brats2021,

    /// <summary>BraTS 2023 (glioma): 1 necrotic core (NCR), 2 edema (SNFH), 3 enhancing tumour.</summary>
    Brats2023,

    /// <summary>
    /// BraTS 2024 post-treatment glioma (GLI): 1 non-enhancing tumour core (NETC), 2 surrounding FLAIR
    /// hyperintensity (SNFH), 3 enhancing tissue (ET), 4 resection cavity (RC). The challenge's composite regions
    /// are TC = ET + NETC and WT = ET + NETC + SNFH; the cavity is scored on its own and belongs to neither.
    /// </summary>
    Brats2024Gli,

    /// <summary>
    /// nnU-Net's BraTS numbering (its Dataset137 conversion, consecutive as nnU-Net requires): 1 edema, 2 necrotic and
    /// non-enhancing core, 3 enhancing tumour; regions WT = 1+2+3, TC = 2+3, ET = 3.
    /// </summary>
    NnUNetBrats,
}

/// <summary>The three nested tumour regions BraTS evaluates; the order is the channel order of every region map.</summary>
public enum Region
{
    /// <summary>Whole tumour (WT): every tumour label, edema included.</summary>
    WholeTumour = 0,

    /// <summary>Tumour core (TC): the whole tumour without the edema.</summary>
    TumourCore = 1,

    /// <summary>Enhancing tumour (ET).</summary>
    EnhancingTumour = 2,
}

/// <summary>Names of <see cref="Region"/> and <see cref="LabelConvention"/> values as users and files write them.</summary>
public static class LabelNames
{
    /// <summary>The three regions in channel order.</summary>
    public static IReadOnlyList<Region> Regions { get; } = [Region.WholeTumour, Region.TumourCore, Region.EnhancingTumour];

    /// <summary>WT, TC or ET.</summary>
    public static string ShortName(this Region region) => region switch
    {
        Region.WholeTumour => "WT",
        Region.TumourCore => "TC",
        Region.EnhancingTumour => "ET",
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, "unknown region"),
    };

    /// <summary>Every convention's name, in declaration order (for messages and help).</summary>
    public const string AllNames = "brats2015, brats2021, brats2023, brats2024-gli or nnunet-brats";

    /// <summary>brats2015, brats2021, brats2023 or brats2024-gli (the value of <c>--labels</c>).</summary>
    public static string Name(this LabelConvention convention) => convention switch
    {
        LabelConvention.Brats2015 => "brats2015",
        LabelConvention.Brats2021 => "brats2021",
        LabelConvention.Brats2023 => "brats2023",
        LabelConvention.Brats2024Gli => "brats2024-gli",
        LabelConvention.NnUNetBrats => "nnunet-brats",
        _ => throw new ArgumentOutOfRangeException(nameof(convention), convention, "unknown label convention"),
    };

    /// <summary>Parses brats2015, brats2021, brats2023 or brats2024-gli (case-insensitive; brats2013 and brats2017-brats2020 are aliases, and so are brats2024 and brats2024gli).</summary>
    public static LabelConvention ParseConvention(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToUpperInvariant() switch
        {
            "BRATS2013" or "BRATS2015" => LabelConvention.Brats2015,
            "BRATS2017" or "BRATS2018" or "BRATS2019" or "BRATS2020" or "BRATS2021" => LabelConvention.Brats2021,
            "BRATS2023" => LabelConvention.Brats2023,
            "BRATS2024-GLI" or "BRATS2024GLI" or "BRATS2024" => LabelConvention.Brats2024Gli,
            "NNUNET-BRATS" or "NNUNET" => LabelConvention.NnUNetBrats,
            _ => throw new SegANException($"unknown label convention '{text}': expected {AllNames}"),
        };
    }
}
