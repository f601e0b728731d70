namespace SegAN.Data;

/// <summary>A train/validation partition of a dataset's cases.</summary>
public sealed record DatasetSplit(IReadOnlyList<CaseFiles> Train, IReadOnlyList<CaseFiles> Validation)
{
    /// <summary>The paper's ratio: 9 training cases to 1 validation case.</summary>
    public const double PaperValidationFraction = 0.1;

    /// <summary>
    /// Below this many cases training holds none out by default: one case would be a tenth or more of the data (with
    /// four cases, a quarter). See <c>DatasetTrainingOptions.ValidationFraction</c>.
    /// </summary>
    public const int SmallDatasetCases = 10;

    /// <summary>
    /// A seeded split by case, stratified by group as in the paper (HGG and LGG split 9:1 separately, then
    /// recombined). Each group gives round(fraction x size) cases to validation; when that leaves none and there
    /// are at least two cases, one case of the largest group goes to validation. The same cases and seed always
    /// give the same split, whatever order the cases come in.
    /// </summary>
    public static DatasetSplit Create(IReadOnlyList<CaseFiles> cases, int seed, double validationFraction = PaperValidationFraction)
    {
        ArgumentNullException.ThrowIfNull(cases);
        if (validationFraction is < 0 or >= 1 || double.IsNaN(validationFraction))
        {
            throw new SegANException($"validation fraction {validationFraction} must be in [0, 1)");
        }

        var groups = cases
            .GroupBy(c => c.Group ?? string.Empty, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Shuffle(g.OrderBy(c => c.Directory, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal).ToList(), seed, g.Key))
            .ToList();

        var validationCounts = groups.Select(g => (int)Math.Round(validationFraction * g.Count, MidpointRounding.AwayFromZero)).ToArray();
        if (validationFraction > 0 && validationCounts.Sum() == 0 && cases.Count >= 2)
        {
            var largest = groups.Select((g, i) => (g.Count, i)).Max().i;
            validationCounts[largest] = 1;
        }

        var train = new List<CaseFiles>();
        var validation = new List<CaseFiles>();
        for (var i = 0; i < groups.Count; i++)
        {
            // Never empty a group's training share entirely when it has more than one case.
            var n = Math.Min(validationCounts[i], Math.Max(groups[i].Count - 1, 0));
            if (groups[i].Count == 1 && validationCounts[i] == 1 && cases.Count >= 2)
            {
                n = 1;
            }

            validation.AddRange(groups[i].Take(n));
            train.AddRange(groups[i].Skip(n));
        }

        return new DatasetSplit(train, validation);
    }

    private static List<CaseFiles> Shuffle(List<CaseFiles> list, int seed, string group)
    {
        var groupHash = 0L;
        foreach (var ch in group)
        {
            groupHash = (groupHash * 31) + ch;
        }

        var rng = new SplitMix64(SplitMix64.Mix(seed, groupHash, 0x5911));
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }
}
