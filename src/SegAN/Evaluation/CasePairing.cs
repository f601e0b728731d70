using SegAN.Data;

namespace SegAN.Evaluation;

/// <summary>A case with its prediction and truth files; either is null when missing.</summary>
public sealed record CasePair(string Case, string? PredictionFile, string? TruthFile);

/// <summary>
/// Matches prediction files to truth files by case name.
/// Predictions: files directly in the prediction folder named <c>CASE_seg.nii.gz</c>, <c>CASE-seg.nii.gz</c> or
/// <c>CASE.nii.gz</c> (also <c>.nii</c>). Truths, searched recursively: BraTS 2017-2021 <c>CASE_seg.nii.gz</c>
/// and 2023 <c>CASE-seg.nii.gz</c> (the case is the file's prefix), BraTS 2015 <c>*.OT.*.mha</c> (the case is the
/// folder above the file's own folder); when no file looks like a BraTS segmentation, the folder is read as flat:
/// every <c>.nii</c>/<c>.nii.gz</c>/<c>.mha</c>/<c>.mhd</c> directly in it is the truth of the case named like the file.
/// </summary>
public static class CasePairing
{
    private static readonly string[] VolumeExtensions = [".nii", ".nii.gz", ".mha", ".mhd"];

    /// <summary>All cases found in either folder, sorted by name (ordinal).</summary>
    public static IReadOnlyList<CasePair> Match(DirectoryInfo predictions, DirectoryInfo truth)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(truth);
        var predicted = Predictions(predictions);
        var truths = Truths(truth);
        return predicted.Keys.Union(truths.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(name => new CasePair(name, predicted.GetValueOrDefault(name), truths.GetValueOrDefault(name)))
            .ToList();
    }

    /// <summary>Prediction files by case name.</summary>
    public static Dictionary<string, string> Predictions(DirectoryInfo folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!folder.Exists)
        {
            throw new SegANException($"{folder.FullName}: prediction folder not found");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in folder.EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (!IsImage(file.Name))
            {
                continue;
            }

            var stem = CaseFiles.StripExtensions(file.Name);
            var name = StripSuffix(stem, "_seg") ?? StripSuffix(stem, "-seg") ?? stem;
            Add(result, name, file.FullName, "prediction");
        }

        return result;
    }

    /// <summary>Truth files by case name.</summary>
    public static Dictionary<string, string> Truths(DirectoryInfo folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!folder.Exists)
        {
            throw new SegANException($"{folder.FullName}: truth folder not found");
        }

        if (NnUNetDataset.IsDataset(folder))
        {
            return NnUNetDataset.Read(folder).Truths(); // labelsTr/CASE.nii.gz, or the dataset list's labels
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Data.DatasetFiles.Enumerate(folder.FullName).Select(f => new FileInfo(f)))
        {
            var name = BratsCaseName(file);
            if (name is not null)
            {
                Add(result, name, file.FullName, "truth");
            }
        }

        if (result.Count > 0)
        {
            return result;
        }

        // No BraTS segmentation names: a flat folder of label maps, one per case.
        foreach (var file in folder.EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (IsImage(file.Name))
            {
                Add(result, CaseFiles.StripExtensions(file.Name), file.FullName, "truth");
            }
        }

        return result;
    }

    private static string? BratsCaseName(FileInfo file)
    {
        var name = file.Name;
        if (FileNamePattern.IsMatch(name, "*.OT.*.mha"))
        {
            // BraTS 2015: CASE/VSD.Brain_3more.XX.O.OT.NNN/VSD.Brain_3more.XX.O.OT.NNN.mha
            return file.Directory?.Parent?.Name;
        }

        foreach (var ext in new[] { ".nii.gz", ".nii" })
        {
            foreach (var suffix in new[] { "_seg", "-seg" })
            {
                if (name.EndsWith(suffix + ext, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length + ext.Length)
                {
                    return name[..^(suffix.Length + ext.Length)];
                }
            }
        }

        return null;
    }

    private static void Add(Dictionary<string, string> map, string name, string path, string what)
    {
        if (map.TryGetValue(name, out var other))
        {
            throw new SegANException($"{path}: a second {what} for case {name} (the first is {other}); keep one");
        }

        map[name] = path;
    }

    // Volumes only: a report's PNGs or a 2D dataset's masks beside them are not BraTS label maps.
    private static bool IsImage(string fileName) =>
        VolumeExtensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase)) && !fileName.StartsWith('.');

    private static string? StripSuffix(string stem, string suffix) =>
        stem.Length > suffix.Length && stem.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? stem[..^suffix.Length] : null;
}
