namespace SegAN.Data;

/// <summary>The file naming of a BraTS release (see <see cref="DatasetPresets"/>).</summary>
public enum DatasetPreset
{
    /// <summary>BraTS 2013/2015 MetaImage files, each in its own subfolder: <c>VSD.Brain.XX.O.MR_T1c.NNN.mha</c>, seg <c>VSD.Brain_3more.XX.O.OT.NNN.mha</c>.</summary>
    Brats2015,

    /// <summary>BraTS 2017-2021: <c>CASE_t1.nii.gz</c>, <c>_t1ce</c>, <c>_t2</c>, <c>_flair</c>, seg <c>_seg</c>.</summary>
    Brats2021,

    /// <summary>BraTS 2023: <c>CASE-t1n.nii.gz</c>, <c>-t1c</c>, <c>-t2w</c>, <c>-t2f</c>, seg <c>-seg</c>.</summary>
    Brats2023,

    /// <summary>BraTS 2024 post-treatment glioma: the 2023 file names, labels with the resection cavity (4).</summary>
    Brats2024Gli,
}

/// <summary>
/// Built-in layouts of the BraTS releases. Every preset knows four modalities named T1, T1c, T2 and FLAIR; the
/// default input is the paper's T1c, T2, FLAIR in that channel order.
/// </summary>
public static class DatasetPresets
{
    /// <summary>The paper's input modalities, in channel order (Xue et al. 2017, section 3).</summary>
    public static IReadOnlyList<string> PaperModalities { get; } = ["T1c", "T2", "FLAIR"];

    /// <summary>The preset whose label convention matches (2015 names for brats2015, and so on).</summary>
    public static DatasetPreset ForConvention(LabelConvention convention) => convention switch
    {
        LabelConvention.Brats2015 => DatasetPreset.Brats2015,
        LabelConvention.Brats2021 => DatasetPreset.Brats2021,
        LabelConvention.Brats2023 => DatasetPreset.Brats2023,
        LabelConvention.Brats2024Gli => DatasetPreset.Brats2024Gli,
        LabelConvention.NnUNetBrats => throw new SegANException("nnunet-brats names labels, not files: an nnU-Net dataset is recognised by its dataset.json"),
        _ => throw new ArgumentOutOfRangeException(nameof(convention), convention, "unknown label convention"),
    };

    /// <summary>brats2015, brats2021, brats2023 or brats2024-gli.</summary>
    public static string Name(this DatasetPreset preset) => Convention(preset).Name();

    /// <summary>Parses brats2015, brats2021 or brats2023 (the aliases of <see cref="LabelNames.ParseConvention"/> too).</summary>
    public static DatasetPreset Parse(string text) => ForConvention(LabelNames.ParseConvention(text));

    /// <summary>The label convention the release's segmentations follow.</summary>
    public static LabelConvention Convention(DatasetPreset preset) => preset switch
    {
        DatasetPreset.Brats2015 => LabelConvention.Brats2015,
        DatasetPreset.Brats2021 => LabelConvention.Brats2021,
        DatasetPreset.Brats2023 => LabelConvention.Brats2023,
        DatasetPreset.Brats2024Gli => LabelConvention.Brats2024Gli,
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown preset"),
    };

    /// <summary>Every modality the release ships (T1, T1c, T2, FLAIR) with its file glob.</summary>
    public static IReadOnlyList<ModalityPattern> AllModalities(DatasetPreset preset) => preset switch
    {
        DatasetPreset.Brats2015 =>
        [
            new("T1", "*.MR_T1.*.mha"), new("T1c", "*.MR_T1c.*.mha"), new("T2", "*.MR_T2.*.mha"), new("FLAIR", "*.MR_Flair.*.mha"),
        ],
        DatasetPreset.Brats2021 =>
        [
            new("T1", "*_t1.nii.gz"), new("T1c", "*_t1ce.nii.gz"), new("T2", "*_t2.nii.gz"), new("FLAIR", "*_flair.nii.gz"),
        ],
        DatasetPreset.Brats2023 or DatasetPreset.Brats2024Gli =>
        [
            new("T1", "*-t1n.nii.gz"), new("T1c", "*-t1c.nii.gz"), new("T2", "*-t2w.nii.gz"), new("FLAIR", "*-t2f.nii.gz"),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown preset"),
    };

    /// <summary>The segmentation's file glob.</summary>
    public static string SegPattern(DatasetPreset preset) => preset switch
    {
        DatasetPreset.Brats2015 => "*.OT.*.mha",
        DatasetPreset.Brats2021 => "*_seg.nii.gz",
        DatasetPreset.Brats2023 or DatasetPreset.Brats2024Gli => "*-seg.nii.gz",
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown preset"),
    };

    /// <summary>
    /// The release's layout with <paramref name="modalities"/> (names among T1, T1c, T2, FLAIR, case-insensitive;
    /// default the paper's T1c, T2, FLAIR) in the given channel order.
    /// </summary>
    public static DatasetLayout Layout(DatasetPreset preset, IReadOnlyList<string>? modalities = null)
    {
        var all = AllModalities(preset);
        var chosen = (modalities ?? PaperModalities).Select(name =>
            all.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new SegANException(
                $"modality '{name}' is not part of the {preset.Name()} preset (it has {string.Join(", ", all.Select(m => m.Name))}); give its file pattern as NAME=GLOB"))
            .ToList();
        return new DatasetLayout(chosen, SegPattern(preset), Convention(preset));
    }

    /// <summary>
    /// The preset whose file names appear under <paramref name="root"/> (searched recursively, first match wins),
    /// or null when no file looks like a BraTS release. BraTS 2024 shares the 2023 names, so it is never detected:
    /// only its labels tell it apart (<c>--preset</c> or <c>--labels brats2024-gli</c>).
    /// </summary>
    public static DatasetPreset? Detect(DirectoryInfo root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!root.Exists)
        {
            throw new SegANException($"{root.FullName}: dataset folder not found");
        }

        var presets = new[] { DatasetPreset.Brats2023, DatasetPreset.Brats2021, DatasetPreset.Brats2015 };
        foreach (var file in DatasetFiles.Enumerate(root.FullName).Select(f => new FileInfo(f)))
        {
            foreach (var preset in presets)
            {
                if (AllModalities(preset).Any(m => FileNamePattern.IsMatch(file.Name, m.Pattern))
                    || FileNamePattern.IsMatch(file.Name, SegPattern(preset)))
                {
                    return preset;
                }
            }
        }

        return null;
    }
}
