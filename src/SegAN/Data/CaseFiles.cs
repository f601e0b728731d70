namespace SegAN.Data;

/// <summary>
/// The files of one case: one image per modality in channel order (<see cref="Modalities"/> names them), the
/// segmentation when there is one, and the case's group (the folder between the dataset root and the case, such
/// as HGG or LGG; null when none).
/// </summary>
public sealed record CaseFiles(
    string Name,
    string? Group,
    string Directory,
    IReadOnlyList<string> Modalities,
    IReadOnlyList<string> ModalityFiles,
    string? SegFile)
{
    /// <summary>
    /// A case from explicit files (prediction on one subject): every file must exist. The name defaults to the
    /// first file's name without its extensions.
    /// </summary>
    public static CaseFiles FromFiles(IReadOnlyList<string> modalities, IReadOnlyList<string> modalityFiles, string? segFile = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(modalities);
        ArgumentNullException.ThrowIfNull(modalityFiles);
        if (modalityFiles.Count == 0 || modalities.Count != modalityFiles.Count)
        {
            throw new SegANException($"a case needs one file per modality: {modalities.Count} modalities, {modalityFiles.Count} files");
        }

        foreach (var file in modalityFiles.Append(segFile).OfType<string>())
        {
            if (!File.Exists(file))
            {
                throw new SegANException($"{file}: file not found");
            }
        }

        var first = modalityFiles[0];
        return new CaseFiles(
            name ?? StripExtensions(Path.GetFileName(first)),
            null,
            Path.GetDirectoryName(Path.GetFullPath(first)) ?? ".",
            [.. modalities],
            [.. modalityFiles],
            segFile);
    }

    /// <summary><c>x.nii.gz</c> -> <c>x</c>, <c>x.mha</c> -> <c>x</c>.</summary>
    public static string StripExtensions(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        foreach (var ext in new[] { ".nii.gz", ".nii", ".mha", ".mhd", ".gz" })
        {
            if (fileName.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                return fileName[..^ext.Length];
            }
        }

        return Path.GetFileNameWithoutExtension(fileName);
    }
}
