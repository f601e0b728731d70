using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Server;

/// <summary>One image the server offers: a studies case (all its modalities) or an upload (one file).</summary>
/// <param name="Id">The opaque ID clients use.</param>
/// <param name="Name">The file name shown to clients (the case's first modality for a studies case).</param>
/// <param name="Path">The file a client downloads to view the image.</param>
/// <param name="Case">A studies case's files; null for an upload.</param>
/// <param name="Labelled">Whether the case has a segmentation already (active learning skips it).</param>
internal sealed record StoredImage(string Id, string Name, string Path, CaseFiles? Case, bool Labelled);

/// <summary>
/// The images the server offers: the cases of the studies folder, discovered once at start, and the uploads, one file
/// per ID in the upload folder. IDs are names, never paths (<see cref="ImageId"/>); an upload is stored only after the
/// library's image reader accepted it.
/// </summary>
internal sealed class ImageStore
{
    private static readonly string[] UploadExtensions = [".nii.gz", ".nii", ".mha"];

    private readonly Dictionary<string, CaseFiles> _studies = new(StringComparer.Ordinal);
    private readonly DatasetLayout? _layout;
    private readonly HashSet<string> _handedOut = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public ImageStore(string uploadDirectory, IReadOnlyList<CaseFiles> studies, DatasetLayout? layout)
    {
        ArgumentNullException.ThrowIfNull(uploadDirectory);
        ArgumentNullException.ThrowIfNull(studies);
        UploadDirectory = Path.GetFullPath(uploadDirectory);
        Directory.CreateDirectory(UploadDirectory);
        _layout = layout;
        foreach (var c in studies.Where(c => ImageId.IsValid(c.Name)))
        {
            _studies.TryAdd(c.Name, c);
        }

        SkippedStudies = studies.Count - _studies.Count;
    }

    public string UploadDirectory { get; }

    /// <summary>Studies cases not offered: a name that is not a valid ID, or a name already taken.</summary>
    public int SkippedStudies { get; }

    /// <summary>Every image, studies cases first, each group sorted by ID.</summary>
    public IReadOnlyList<StoredImage> All() =>
        [.. _studies.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(Study), .. Uploads().OrderBy(u => u.Id, StringComparer.Ordinal)];

    /// <summary>The image with <paramref name="id"/>, or a 404.</summary>
    public StoredImage Find(string id) =>
        _studies.TryGetValue(id, out var c) ? Study(c)
        : Uploads().FirstOrDefault(u => u.Id == id) ?? throw new ServerException(404, $"image '{id}' not found");

    /// <summary>
    /// The next unlabelled image for annotation that this server has not handed out yet: the first by ID, or a random
    /// one; null when none is left.
    /// </summary>
    public StoredImage? Next(string strategy)
    {
        lock (_gate)
        {
            var candidates = All().Where(i => !i.Labelled && !_handedOut.Contains(i.Id)).ToList();
            if (candidates.Count == 0)
            {
                return null;
            }

            var chosen = strategy == "random" ? candidates[Random.Shared.Next(candidates.Count)] : candidates[0];
            _handedOut.Add(chosen.Id);
            return chosen;
        }
    }

    /// <summary>
    /// The files <paramref name="model"/> needs for image <paramref name="id"/>, named as the model's modalities: all of
    /// a studies case's, or an upload alone for a one-modality model, or an upload and its sibling uploads (the same
    /// case prefix, the model's other modalities' file-name endings). A missing modality is a 422 naming it.
    /// </summary>
    public CaseFiles ForModel(string id, ServedSegmentor model)
    {
        var image = Find(id);
        var needed = model.Modalities;
        if (image.Case is { } study)
        {
            var files = new List<string>();
            var missing = new List<string>();
            foreach (var m in needed)
            {
                var index = study.Modalities.ToList().FindIndex(n => string.Equals(n, m, StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                {
                    missing.Add(m);
                }
                else
                {
                    files.Add(study.ModalityFiles[index]);
                }
            }

            return missing.Count == 0
                ? study with { Modalities = [.. needed], ModalityFiles = files, SegFile = null }
                : throw new ServerException(422, $"model '{model.Model.Name}' needs {string.Join(", ", needed)}; the studies layout has no {string.Join(", ", missing)} (give it with --modality NAME=GLOB)");
        }

        if (needed.Count == 1)
        {
            return CaseFiles.FromFiles([needed[0]], [image.Path], name: id);
        }

        return Siblings(image, model);
    }

    /// <summary>
    /// Validates and stores an upload: <paramref name="tempFile"/> (in <see cref="UploadDirectory"/>, hidden) is read
    /// with the library's reader; junk is a 400 with the reader's message and nothing is stored.
    /// </summary>
    public StoredImage Store(string id, string tempFile, string extension, string clientFileName)
    {
        if (_studies.ContainsKey(id))
        {
            throw new ServerException(409, $"image '{id}' is a studies case; upload under another ID");
        }

        try
        {
            _ = ImageFile.Read(tempFile);
        }
        catch (Exception e) when (IsReaderError(e))
        {
            // The reader names the file; name the client's file, not the server's temporary one.
            throw new ServerException(400, $"not a readable image: {e.Message.Replace(tempFile, clientFileName, StringComparison.Ordinal)}");
        }

        var target = Path.Combine(UploadDirectory, id + extension);
        File.Move(tempFile, target, overwrite: true);
        foreach (var other in UploadExtensions.Where(e => e != extension))
        {
            File.Delete(Path.Combine(UploadDirectory, id + other));
        }

        return Find(id);
    }

    /// <summary>The stored extension of an uploaded file name (.nii.gz, .nii or .mha), or a 415.</summary>
    public static string UploadExtension(string fileName) =>
        UploadExtensions.FirstOrDefault(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase))
        ?? throw new ServerException(415, $"file '{Path.GetFileName(fileName)}': only {string.Join(", ", UploadExtensions)} images can be uploaded");

    /// <summary>Errors of the image readers that mean "this file is not a valid image".</summary>
    public static bool IsReaderError(Exception e) =>
        e is SegANException or InvalidDataException or IOException or ArgumentException or OverflowException or NotSupportedException or FormatException;

    private static StoredImage Study(CaseFiles c) =>
        new(c.Name, Path.GetFileName(c.ModalityFiles[0]), c.ModalityFiles[0], c, c.SegFile is not null);

    private IEnumerable<StoredImage> Uploads()
    {
        foreach (var file in Directory.EnumerateFiles(UploadDirectory))
        {
            var name = Path.GetFileName(file);
            var extension = UploadExtensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
            if (extension is not null && ImageId.IsValid(name[..^extension.Length]))
            {
                yield return new StoredImage(name[..^extension.Length], name, file, null, false);
            }
        }
    }

    private CaseFiles Siblings(StoredImage image, ServedSegmentor model)
    {
        var needed = model.Modalities;
        var uploads = Uploads().ToList();
        foreach (var family in PatternFamilies())
        {
            // Each needed modality's file-name ending in this naming scheme (patterns of the form *ENDING only).
            var endings = needed.Select(m => family.FirstOrDefault(p => string.Equals(p.Name, m, StringComparison.OrdinalIgnoreCase))?.Pattern)
                .Select(p => p is ['*', .. var rest] && !rest.Contains('*') && !rest.Contains('?') ? rest : null)
                .ToList();
            if (endings.Any(e => e is null))
            {
                continue;
            }

            var own = endings.FindIndex(e => image.Name.Length > e!.Length && image.Name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
            if (own < 0)
            {
                continue;
            }

            var prefix = image.Name[..^endings[own]!.Length];
            var files = new List<string>();
            var missing = new List<string>();
            for (var m = 0; m < needed.Count; m++)
            {
                var expected = prefix + endings[m];
                var found = uploads.FirstOrDefault(u => string.Equals(u.Name, expected, StringComparison.OrdinalIgnoreCase));
                if (found is null)
                {
                    missing.Add($"{needed[m]} (upload it as image '{CaseFiles.StripExtensions(expected)}')");
                }
                else
                {
                    files.Add(found.Path);
                }
            }

            return missing.Count == 0
                ? CaseFiles.FromFiles([.. needed], files, name: prefix.TrimEnd('-', '_', '.'))
                : throw new ServerException(422, $"model '{model.Model.Name}' needs {string.Join(", ", needed)}; image '{image.Id}' is the {needed[own]} of case '{prefix.TrimEnd('-', '_', '.')}', whose other modalities are missing: {string.Join("; ", missing)}");
        }

        throw new ServerException(422, $"model '{model.Model.Name}' needs {needed.Count} modalities ({string.Join(", ", needed)}) but image '{image.Id}' is a single upload whose name matches none of them; upload each modality with a BraTS file-name ending (e.g. CASE-t1c, CASE-t2w, CASE-t2f) or segment a studies case by its ID");
    }

    private IEnumerable<IReadOnlyList<ModalityPattern>> PatternFamilies()
    {
        if (_layout is not null)
        {
            yield return _layout.Modalities;
        }

        foreach (var preset in new[] { DatasetPreset.Brats2023, DatasetPreset.Brats2021 })
        {
            yield return DatasetPresets.AllModalities(preset);
        }
    }
}
