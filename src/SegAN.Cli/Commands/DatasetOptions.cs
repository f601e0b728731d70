using System.CommandLine;
using SegAN.Data;

namespace SegAN.Cli.Commands;

/// <summary>
/// The options every command that reads a dataset shares, declared once: which files are which modality
/// (<c>--modality</c>, repeatable, in channel order), the segmentation (<c>--seg</c>), the label convention
/// (<c>--labels</c>) and the release preset (<c>--preset</c>). <see cref="Resolve"/> turns them into the library's
/// <see cref="DatasetLayout"/>; <see cref="ExplicitCase"/> reads them as one case's files (prediction).
/// </summary>
internal sealed class DatasetOptions
{
    private DatasetOptions()
    {
    }

    /// <summary>--modality NAME=GLOB | NAME | NAME=FILE, repeatable.</summary>
    public Option<string[]> Modality { get; } = new("--modality")
    {
        Description = "An input modality as NAME=GLOB (a file-name pattern, e.g. T1c=*_t1ce.nii.gz), NAME alone (one of the preset's T1, T1c, T2, FLAIR) or NAME=FILE (one case's file, for prediction). Repeat it; the order is the channel order. Default: the paper's T1c, T2, FLAIR from the preset.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>--seg GLOB | FILE.</summary>
    public Option<string?> Seg { get; } = new("--seg")
    {
        Description = "File-name pattern of the segmentation (or, with NAME=FILE modalities, the segmentation file). Default: the preset's (e.g. *_seg.nii.gz); none for custom modalities.",
    };

    /// <summary>--labels brats2015|brats2021|brats2023|brats2024-gli|nnunet-brats; null when not given.</summary>
    public Option<LabelConvention?> Labels { get; } = ChoiceOption.Optional(
        "--labels",
        "Label convention of the segmentations: brats2015 (ET=4, 3=non-enhancing), brats2021 (ET=4), brats2023 (ET=3), brats2024-gli (ET=3, 4=resection cavity, in no region) or nnunet-brats (nnU-Net's 1 edema, 2 core, 3 ET). Default: the preset's (an nnU-Net dataset's own), else brats2021.",
        Choices.Labels,
        Choices.LabelAliases);

    /// <summary>--preset auto|brats2015|brats2021|brats2023|brats2024-gli.</summary>
    public Option<PresetChoice> Preset { get; } = ChoiceOption.Create(
        "--preset",
        "File naming of a BraTS release: brats2015 (.mha), brats2021 (*_t1ce.nii.gz ...), brats2023 (*-t1c.nii.gz ...), brats2024-gli (the 2023 names, labels with the resection cavity 4) or auto (detected from the file names; 2024 is never detected). Default: auto.",
        PresetChoice.Auto,
        Choices.Presets,
        Choices.PresetAliases);

    public static DatasetOptions Create() => new();

    /// <summary>Adds the four options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Modality);
        command.Options.Add(Seg);
        command.Options.Add(Labels);
        command.Options.Add(Preset);
    }

    /// <summary>The layout of the dataset under <paramref name="data"/> as the options describe it.</summary>
    public DatasetLayout Resolve(ParseResult parse, DirectoryInfo data)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(data);
        var modalities = ParseModalities(parse);
        if (modalities.Any(m => m.Value is not null && File.Exists(m.Value)))
        {
            throw new SegANException($"--modality {modalities.First(m => m.Value is not null && File.Exists(m.Value)).Value}: a file, but this command reads a dataset folder; give a file-name pattern (NAME=GLOB)");
        }

        var allCustom = modalities.Count > 0 && modalities.All(m => m.Value is not null);
        var given = parse.GetValue(Preset).Preset;
        if (NnUNetDataset.IsDataset(data) && modalities.All(m => m.Value is null) && given is null)
        {
            // nnU-Net: channels by name from dataset.json, labels from its "labels" unless --labels says otherwise.
            return NnUNetDataset.Read(data).Layout(
                modalities.Count == 0 ? null : [.. modalities.Select(m => m.Name)],
                parse.GetValue(Labels));
        }

        var preset = given ?? (allCustom ? null : DatasetPresets.Detect(data) ?? throw new SegANException(
            $"{data.FullName}: no file looks like a BraTS release (2015 .mha, 2017-2021 *_t1ce.nii.gz, 2023 *-t1c.nii.gz); give --preset or --modality NAME=GLOB"));

        var patterns = modalities.Count == 0
            ? DatasetPresets.Layout(preset!.Value).Modalities
            : modalities.Select(m => m.Value is not null
                ? new ModalityPattern(m.Name, m.Value)
                : DatasetPresets.Layout(preset ?? throw new SegANException($"--modality {m.Name}: give its pattern as {m.Name}=GLOB (no preset to look it up in)"), [m.Name]).Modalities[0])
                .ToList();

        var seg = parse.GetValue(Seg) ?? (preset is { } p ? DatasetPresets.SegPattern(p) : null);
        var labels = parse.GetValue(Labels)
            ?? (preset is { } q ? DatasetPresets.Convention(q) : LabelConvention.Brats2021);
        return new DatasetLayout(patterns, seg, labels);
    }

    /// <summary>
    /// One case from explicit files when every <c>--modality</c> is NAME=FILE with an existing file (and
    /// <c>--seg</c>, if given, a file); null when the modalities are patterns or absent.
    /// </summary>
    public CaseFiles? ExplicitCase(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var modalities = ParseModalities(parse);
        var files = modalities.Where(m => m.Value is not null && File.Exists(m.Value)).ToList();
        if (files.Count == 0)
        {
            return null;
        }

        if (files.Count != modalities.Count)
        {
            var other = modalities.First(m => m.Value is null || !File.Exists(m.Value));
            throw new SegANException($"--modality {other.Name}={other.Value}: file not found (every --modality must be NAME=FILE when one is)");
        }

        return CaseFiles.FromFiles([.. files.Select(m => m.Name)], [.. files.Select(m => m.Value!)], parse.GetValue(Seg));
    }

    private List<(string Name, string? Value)> ParseModalities(ParseResult parse)
    {
        var result = new List<(string, string?)>();
        foreach (var item in parse.GetValue(Modality) ?? [])
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? item : item[..eq]).Trim();
            var value = eq < 0 ? null : item[(eq + 1)..].Trim();
            if (name.Length == 0 || value?.Length == 0)
            {
                throw new SegANException($"--modality '{item}': expected NAME=GLOB, NAME or NAME=FILE");
            }

            result.Add((name, value));
        }

        return result;
    }
}
