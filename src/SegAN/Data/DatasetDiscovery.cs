namespace SegAN.Data;

/// <summary>
/// Finds the cases of a dataset folder. A case is the folder that holds one file per modality (directly or in
/// subfolders, as BraTS 2015 keeps each .mha in its own folder); cases may sit under group folders (HGG/LGG),
/// which are remembered for stratified splitting. Files are matched to modalities by <see cref="DatasetLayout"/>'s
/// globs; a missing or ambiguous file is a <see cref="SegANException"/> naming the case and the pattern.
/// </summary>
public static class DatasetDiscovery
{
    /// <summary>
    /// The cases under <paramref name="root"/>, sorted by relative path. With <paramref name="requireLabels"/>
    /// every case needs a segmentation matching the layout's pattern; otherwise a missing one is null.
    /// </summary>
    public static IReadOnlyList<CaseFiles> Discover(DirectoryInfo root, DatasetLayout layout, bool requireLabels = true)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(layout);
        if (!root.Exists)
        {
            throw new SegANException($"{root.FullName}: dataset folder not found");
        }

        // An nnU-Net raw dataset keeps every case in one flat folder, named by channel index: its own discovery.
        if (NnUNetDataset.IsDataset(root))
        {
            return NnUNetDataset.Read(root).Discover(layout, requireLabels);
        }

        if (requireLabels && layout.SegPattern is null)
        {
            throw new SegANException(Setting.SegmentationPattern, $"{root.FullName}: the dataset layout has no segmentation pattern; give one");
        }

        var rootPath = Path.TrimEndingDirectorySeparator(root.FullName);
        // Hidden files (macOS "._" resource forks, atomic-write temporaries) are never images of a case; linked
        // folders are not entered (a loop would multiply cases, a link to / would leave the dataset).
        var files = DatasetFiles.Enumerate(root.FullName).ToList();

        var anchorPattern = layout.Modalities[0].Pattern;
        var otherPatterns = layout.Modalities.Skip(1).Select(m => m.Pattern)
            .Concat(layout.SegPattern is null ? [] : [layout.SegPattern]).ToList();

        // Count, for every folder up to the root, the first modality's files ("anchors") and the other files of
        // a case in its subtree; a case folder is then the highest folder around one anchor that holds no other
        // anchor, or the lowest one that already holds the case's other files.
        var anchors = new Dictionary<string, int>(StringComparer.Ordinal);
        var others = new Dictionary<string, int>(StringComparer.Ordinal);
        var anchorFiles = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            Dictionary<string, int>? counts = null;
            if (FileNamePattern.IsMatch(name, anchorPattern))
            {
                counts = anchors;
                anchorFiles.Add(file);
            }
            else if (otherPatterns.Any(p => FileNamePattern.IsMatch(name, p)))
            {
                counts = others;
            }

            if (counts is null)
            {
                continue;
            }

            for (var dir = Path.GetDirectoryName(file)!; ; dir = Path.GetDirectoryName(dir)!)
            {
                counts[dir] = counts.GetValueOrDefault(dir) + 1;
                if (dir.Length <= rootPath.Length)
                {
                    break;
                }
            }
        }

        if (anchorFiles.Count == 0)
        {
            throw new SegANException(
                Setting.Modalities,
                $"{root.FullName}: no file matches the {layout.Modalities[0].Name} pattern '{anchorPattern}'; check the modalities' patterns");
        }

        var caseDirs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var anchor in anchorFiles)
        {
            var dir = Path.GetDirectoryName(anchor)!;
            while (otherPatterns.Count > 0 && dir.Length > rootPath.Length && others.GetValueOrDefault(dir) == 0
                && anchors.GetValueOrDefault(Path.GetDirectoryName(dir)!) == 1)
            {
                dir = Path.GetDirectoryName(dir)!;
            }

            caseDirs.Add(dir);
        }

        return [.. caseDirs.Select(dir => ReadCase(dir, rootPath, files, layout, requireLabels))];
    }

    private static CaseFiles ReadCase(string dir, string rootPath, List<string> files, DatasetLayout layout, bool requireLabels)
    {
        var prefix = dir + Path.DirectorySeparatorChar;
        var inCase = files.Where(f => f.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var name = Path.GetFileName(dir);
        var modalityFiles = layout.Modalities.Select(m => FindOne(inCase, m.Name, m.Pattern, name, dir, required: true)!).ToList();
        var seg = layout.SegPattern is null ? null : FindOne(inCase, "segmentation", layout.SegPattern, name, dir, requireLabels);
        var parent = Path.GetDirectoryName(dir);
        string? group = dir.Length <= rootPath.Length || parent is null || parent.Length <= rootPath.Length
            ? null
            : Path.GetRelativePath(rootPath, parent);
        return new CaseFiles(name, group, dir, layout.ModalityNames, modalityFiles, seg);
    }

    private static string? FindOne(List<string> files, string what, string pattern, string caseName, string dir, bool required)
    {
        var matches = files.Where(f => FileNamePattern.IsMatch(Path.GetFileName(f), pattern)).ToList();
        if (matches.Count > 1)
        {
            throw new SegANException(
                $"case {caseName} ({dir}): {matches.Count} files match the {what} pattern '{pattern}': {string.Join(", ", matches)}");
        }

        if (matches.Count == 0 && required)
        {
            throw new SegANException($"case {caseName} ({dir}): no {what} file matching '{pattern}'");
        }

        return matches.Count == 1 ? matches[0] : null;
    }
}
