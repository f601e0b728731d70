namespace SegAN.Data;

/// <summary>One input modality: its name (T1c, FLAIR, ...) and the file-name glob that finds it in a case folder.</summary>
public sealed record ModalityPattern(string Name, string Pattern);

/// <summary>
/// How a dataset's files are named: the input modalities in channel order, the segmentation's glob (null when
/// the dataset has no labels) and the label convention of its segmentations.
/// </summary>
public sealed record DatasetLayout
{
    /// <summary>A layout: the modality file patterns in channel order, the segmentation pattern (null when cases have none) and the label convention.</summary>
    public DatasetLayout(IReadOnlyList<ModalityPattern> modalities, string? segPattern, LabelConvention labels)
    {
        ArgumentNullException.ThrowIfNull(modalities);
        if (modalities.Count == 0)
        {
            throw new SegANException("a dataset layout needs at least one modality");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in modalities)
        {
            if (string.IsNullOrWhiteSpace(m.Name) || string.IsNullOrWhiteSpace(m.Pattern))
            {
                throw new SegANException($"modality '{m.Name}={m.Pattern}': both a name and a file pattern are needed");
            }

            if (!names.Add(m.Name))
            {
                throw new SegANException($"modality '{m.Name}' is given twice");
            }
        }

        Modalities = [.. modalities];
        SegPattern = string.IsNullOrWhiteSpace(segPattern) ? null : segPattern;
        Labels = labels;
    }

    /// <summary>Input modalities; their order is the channel order of every image the networks see.</summary>
    public IReadOnlyList<ModalityPattern> Modalities { get; }

    /// <summary>Glob of the segmentation file, or null for a dataset without labels.</summary>
    public string? SegPattern { get; init; }

    /// <summary>The label convention the segmentations follow.</summary>
    public LabelConvention Labels { get; init; }

    /// <summary>The modality names in channel order.</summary>
    public IReadOnlyList<string> ModalityNames => [.. Modalities.Select(m => m.Name)];

    /// <summary>This layout with other modalities (same segmentation pattern and labels).</summary>
    public DatasetLayout WithModalities(IReadOnlyList<ModalityPattern> modalities) => new(modalities, SegPattern, Labels);

    /// <summary>Equal when patterns, segmentation pattern and labels are equal (the modality list by value).</summary>
    public bool Equals(DatasetLayout? other) =>
        other is not null && Modalities.SequenceEqual(other.Modalities) && SegPattern == other.SegPattern && Labels == other.Labels;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Modalities.Count, SegPattern, Labels);
}
