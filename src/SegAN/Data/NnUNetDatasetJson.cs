using System.Globalization;
using System.Text.Json;

namespace SegAN.Data;

/// <summary>The readers of <c>dataset.json</c>'s fields (<c>channel_names</c>, <c>labels</c>, <c>regions_class_order</c>, <c>dataset</c>).</summary>
public sealed partial class NnUNetDataset
{
    private static List<string> ReadChannels(JsonElement top, string json)
    {
        // nnU-Net v1 and early v2 files call it "modality".
        if (!top.TryGetProperty("channel_names", out var names) && !top.TryGetProperty("modality", out names))
        {
            throw new SegANException($"{json}: \"channel_names\" is missing");
        }

        if (names.ValueKind != JsonValueKind.Object)
        {
            throw new SegANException($"{json}: \"channel_names\" must map \"0\", \"1\", ... to names");
        }

        var byIndex = new SortedDictionary<int, string>();
        foreach (var p in names.EnumerateObject())
        {
            if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || p.Value.ValueKind != JsonValueKind.String)
            {
                throw new SegANException($"{json}: channel_names entry \"{p.Name}\" must be a channel index mapped to a name");
            }

            byIndex[index] = p.Value.GetString()!;
        }

        if (byIndex.Count == 0 || byIndex.Keys.Last() != byIndex.Count - 1)
        {
            throw new SegANException($"{json}: channel_names must number channels 0..N-1, got {string.Join(", ", byIndex.Keys)}");
        }

        return [.. byIndex.Values];
    }

    private static LabelConvention ReadLabels(JsonElement top, string json)
    {
        if (!top.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
        {
            throw new SegANException($"{json}: \"labels\" is missing");
        }

        var entries = new List<(string Name, int[] Values, bool Region)>();
        foreach (var p in labels.EnumerateObject())
        {
            int[] values = p.Value.ValueKind switch
            {
                JsonValueKind.Number when p.Value.TryGetInt32(out var v) => [v],
                JsonValueKind.Array when p.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _)) =>
                    [.. p.Value.EnumerateArray().Select(e => e.GetInt32())],
                _ => throw new SegANException($"{json}: label \"{p.Name}\" must be an integer or a list of integers"),
            };
            entries.Add((p.Name, values, p.Value.ValueKind == JsonValueKind.Array));
        }

        var background = entries.FirstOrDefault(e => Key(e.Name) == "background");
        if (background.Name is null || background.Values is not [0])
        {
            throw new SegANException($"{json}: labels must map \"background\" to 0");
        }

        entries.Remove(background);
        var regionBased = entries.Any(e => e.Region);
        int[] wt, tc, et;
        int[] declared;
        if (regionBased)
        {
            wt = Find(entries, json, "wholetumor", "wholetumour", "wt");
            tc = Find(entries, json, "tumorcore", "tumourcore", "tc");
            et = Find(entries, json, "enhancingtumor", "enhancingtumour", "et", "enhancing", "enhancingtissue");
            declared = [0, .. entries.SelectMany(e => e.Values).Distinct().Order()];
        }
        else
        {
            var edema = Find(entries, json, "edema", "oedema", "ed", "snfh", "peritumoraledema", "surroundingnonenhancingflairhyperintensity");
            var core = Find(entries, json, "necrosis", "necrotic", "ncr", "netc", "ncrnet", "necroticcore", "nonenhancingandnecrosis", "nonenhancingtumorcore", "necrosisandnonenhancing");
            et = Find(entries, json, "enhancingtumor", "enhancingtumour", "et", "enhancing", "enhancingtissue");
            wt = [.. edema.Concat(core).Concat(et).Order()];
            tc = [.. core.Concat(et).Order()];
            declared = [0, .. entries.SelectMany(e => e.Values).Distinct().Order()];
        }

        foreach (var convention in new[] { LabelConvention.NnUNetBrats, LabelConvention.Brats2023, LabelConvention.Brats2021, LabelConvention.Brats2024Gli })
        {
            if (BratsLabels.RegionLabels(convention, Region.WholeTumour).SequenceEqual(wt.Order())
                && BratsLabels.RegionLabels(convention, Region.TumourCore).SequenceEqual(tc.Order())
                && BratsLabels.RegionLabels(convention, Region.EnhancingTumour).SequenceEqual(et.Order())
                && BratsLabels.Labels(convention).SequenceEqual(declared))
            {
                if (regionBased)
                {
                    CheckRegionOrder(top, json, entries, convention, [wt, tc, et]);
                }

                return convention;
            }
        }

        throw new SegANException(
            $"{json}: labels (WT {Text(wt)}, TC {Text(tc)}, ET {Text(et)}; values {Text(declared)}) follow no known BraTS numbering ({LabelNames.AllNames})");
    }

    // regions_class_order turns predicted regions back into labels (later regions overwrite earlier ones): it must
    // give each region the label that SegAN.NET writes for it, or the two would disagree about every prediction.
    private static void CheckRegionOrder(JsonElement top, string json, List<(string Name, int[] Values, bool Region)> entries, LabelConvention convention, int[][] regions)
    {
        if (!top.TryGetProperty("regions_class_order", out var order) || order.ValueKind != JsonValueKind.Array
            || order.GetArrayLength() != entries.Count || !order.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number))
        {
            throw new SegANException($"{json}: region-based labels need \"regions_class_order\", one label per region ({entries.Count})");
        }

        var placed = order.EnumerateArray().Select(e => e.GetInt32()).ToList();
        var byRegion = entries.Select((e, i) => (e.Values, Label: placed[i])).ToList();
        var expectedLabels = new[]
        {
            BratsLabels.ToLabel(true, false, false, convention), BratsLabels.ToLabel(true, true, false, convention), BratsLabels.ToLabel(true, true, true, convention),
        };
        foreach (var (set, expected) in regions.Zip(expectedLabels))
        {
            var label = byRegion.First(r => r.Values.Order().SequenceEqual(set.Order())).Label;
            if (label != expected)
            {
                throw new SegANException($"{json}: regions_class_order places label {label} for region {Text(set)}; the region's own label is {expected}");
            }
        }
    }

    private static int[] Find(List<(string Name, int[] Values, bool Region)> entries, string json, params string[] names)
    {
        var match = entries.Where(e => names.Contains(Key(e.Name))).ToList();
        return match.Count == 1
            ? match[0].Values
            : throw new SegANException($"{json}: labels name {(match.Count == 0 ? "no" : "more than one")} {names[0]} entry (labels: {string.Join(", ", entries.Select(e => e.Name))})");
    }

    private static string Key(string name) => new([.. name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    private static string Text(IEnumerable<int> values) => "[" + string.Join(", ", values) + "]";

    private static Dictionary<string, (string[] Images, string Label)> ReadList(JsonElement list, string root, int channels, string json)
    {
        if (list.ValueKind != JsonValueKind.Object)
        {
            throw new SegANException($"{json}: \"dataset\" must map case identifiers to their images and label");
        }

        var result = new Dictionary<string, (string[] Images, string Label)>(StringComparer.Ordinal);
        foreach (var p in list.EnumerateObject())
        {
            if (!p.Value.TryGetProperty("images", out var images) || images.ValueKind != JsonValueKind.Array
                || !p.Value.TryGetProperty("label", out var label) || label.ValueKind != JsonValueKind.String
                || !images.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String))
            {
                throw new SegANException($"{json}: dataset entry \"{p.Name}\" needs \"images\" (a list of paths) and \"label\" (a path)");
            }

            var files = images.EnumerateArray().Select(i => Path.GetFullPath(i.GetString()!, root)).ToArray();
            if (files.Length != channels)
            {
                throw new SegANException($"{json}: dataset entry \"{p.Name}\" lists {files.Length} images but channel_names has {channels}");
            }

            result[p.Name] = (files, Path.GetFullPath(label.GetString()!, root));
        }

        return result;
    }
}
