using System.Globalization;
using System.Text.Json;

namespace SegAN.Data;

/// <summary>
/// An nnU-Net v2 raw dataset (MIC-DKFZ/nnUNet, <c>documentation/dataset_format.md</c>): <c>dataset.json</c> beside
/// <c>imagesTr/CASE_XXXX.EXT</c> (XXXX the four-digit channel index of <c>channel_names</c>), <c>labelsTr/CASE.EXT</c>
/// and the optional <c>imagesTs/</c>, EXT being <c>file_ending</c>; or an explicit <c>dataset</c> list of images and
/// labels. Channels are matched by name to the modalities a model wants (T1, T1c, T2, FLAIR, with the usual
/// spellings); <c>labels</c>, plain or region-based with <c>regions_class_order</c>, must describe BraTS's WT, TC
/// and ET regions in one of the known numberings (<see cref="LabelConvention"/>). Every mistake is a one-line
/// <see cref="SegANException"/> naming the file and the value.
/// </summary>
public sealed partial class NnUNetDataset
{
    /// <summary>The file that makes a folder an nnU-Net dataset.</summary>
    public const string JsonFileName = "dataset.json";

    private readonly Dictionary<string, (string[] Images, string Label)>? _listed;

    private NnUNetDataset(string root, IReadOnlyList<string> channels, LabelConvention labels, string fileEnding, int? numTraining, Dictionary<string, (string[] Images, string Label)>? listed)
    {
        Root = root;
        ChannelNames = channels;
        Labels = labels;
        FileEnding = fileEnding;
        NumTraining = numTraining;
        _listed = listed;
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>The <c>dataset.json</c> path.</summary>
    public string JsonPath => Path.Combine(Root, JsonFileName);

    /// <summary>The channel names by channel index.</summary>
    public IReadOnlyList<string> ChannelNames { get; }

    /// <summary>The label numbering <c>labels</c> describes.</summary>
    public LabelConvention Labels { get; }

    /// <summary>The images' and labels' extension, such as <c>.nii.gz</c>.</summary>
    public string FileEnding { get; }

    /// <summary><c>numTraining</c>, when given.</summary>
    public int? NumTraining { get; }

    /// <summary>Whether <paramref name="root"/> holds a <c>dataset.json</c>.</summary>
    public static bool IsDataset(DirectoryInfo root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return File.Exists(Path.Combine(root.FullName, JsonFileName));
    }

    /// <summary>The canonical modality name of an nnU-Net channel name (T1, T1c, T2, FLAIR), or the name itself when it is none of them.</summary>
    public static string CanonicalModality(string channelName)
    {
        ArgumentNullException.ThrowIfNull(channelName);
        var key = new string([.. channelName.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
        return key switch
        {
            "t1" or "t1n" or "t1w" or "t1native" or "t1pre" => "T1",
            "t1c" or "t1ce" or "t1gd" or "t1post" or "t1contrast" or "t1wce" => "T1c",
            "t2" or "t2w" => "T2",
            "flair" or "t2f" or "t2flair" => "FLAIR",
            _ => channelName,
        };
    }

    /// <summary>Reads <c>ROOT/dataset.json</c>.</summary>
    public static NnUNetDataset Read(DirectoryInfo root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var json = Path.Combine(root.FullName, JsonFileName);
        if (!File.Exists(json))
        {
            throw new SegANException($"{json}: not found; an nnU-Net dataset folder holds dataset.json, imagesTr and labelsTr");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(json));
        }
        catch (JsonException e)
        {
            throw new SegANException($"{json}: not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var top = document.RootElement;
            if (top.ValueKind != JsonValueKind.Object)
            {
                throw new SegANException($"{json}: expected a JSON object");
            }

            var channels = ReadChannels(top, json);
            var fileEnding = top.TryGetProperty("file_ending", out var ending) && ending.ValueKind == JsonValueKind.String && ending.GetString()!.StartsWith('.')
                ? ending.GetString()!
                : throw new SegANException($"{json}: \"file_ending\" is missing or not an extension such as \".nii.gz\"");
            if (!Imaging.ImageFile.IsImagePath("x" + fileEnding))
            {
                throw new SegANException($"{json}: file_ending \"{fileEnding}\" is not a volume format SegAN.NET reads (.nii, .nii.gz, .mha, .mhd)");
            }

            var labels = ReadLabels(top, json);
            int? numTraining = top.TryGetProperty("numTraining", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : null;
            var listed = top.TryGetProperty("dataset", out var list) ? ReadList(list, root.FullName, channels.Count, json) : null;
            return new NnUNetDataset(root.FullName, channels, labels, fileEnding, numTraining, listed);
        }
    }

    /// <summary>
    /// The layout of <paramref name="modalities"/> (default: the paper's T1c, T2, FLAIR) in that channel order, each
    /// matched by name to a channel; <paramref name="labels"/> overrides the dataset's numbering.
    /// </summary>
    public DatasetLayout Layout(IReadOnlyList<string>? modalities = null, LabelConvention? labels = null)
    {
        var wanted = modalities ?? DatasetPresets.PaperModalities;
        var patterns = wanted.Select(name =>
        {
            var index = Enumerable.Range(0, ChannelNames.Count).FirstOrDefault(
                i => string.Equals(CanonicalModality(ChannelNames[i]), CanonicalModality(name), StringComparison.OrdinalIgnoreCase), -1);
            return index >= 0
                ? new ModalityPattern(CanonicalModality(name), ChannelPattern(index))
                : throw new SegANException($"{JsonPath}: channel_names ({string.Join(", ", ChannelNames)}) has no {name} channel");
        }).ToList();
        return new DatasetLayout(patterns, "*" + FileEnding, labels ?? Labels);
    }

    /// <summary>
    /// The cases: with <paramref name="requireLabels"/> the training cases (the <c>dataset</c> list, else
    /// <c>imagesTr</c> with <c>labelsTr</c>); without, the test cases of <c>imagesTs</c> when it holds any, else the
    /// training cases with their labels where present. Cases are sorted by identifier; each has every channel.
    /// </summary>
    public IReadOnlyList<CaseFiles> Discover(DatasetLayout layout, bool requireLabels)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var channels = layout.Modalities.Select(m => ChannelOf(m)).ToList();
        if (_listed is not null && (requireLabels || !HasTestImages()))
        {
            return [.. _listed.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            {
                foreach (var file in p.Value.Images.Append(p.Value.Label))
                {
                    if (!File.Exists(file))
                    {
                        throw new SegANException($"{file}: not found (case {p.Key} of the dataset list in {JsonPath})");
                    }
                }

                return new CaseFiles(p.Key, null, Root, layout.ModalityNames, [.. channels.Select(c => p.Value.Images[c])], p.Value.Label);
            })];
        }

        var images = Path.Combine(Root, !requireLabels && HasTestImages() ? "imagesTs" : "imagesTr");
        var labelFolder = images.EndsWith("imagesTr", StringComparison.Ordinal) ? Path.Combine(Root, "labelsTr") : null;
        if (!Directory.Exists(images))
        {
            throw new SegANException($"{images}: not found; an nnU-Net dataset keeps its training images in imagesTr");
        }

        var ids = CaseIds(images);
        if (ids.Count == 0)
        {
            throw new SegANException($"{images}: no image named CASE_XXXX{FileEnding}");
        }

        if (requireLabels && NumTraining is { } expected && expected != ids.Count)
        {
            throw new SegANException($"{JsonPath}: numTraining is {expected} but {images} holds {ids.Count} cases");
        }

        return [.. ids.Select(id =>
        {
            var files = Enumerable.Range(0, ChannelNames.Count).Select(c => Path.Combine(images, $"{id}_{c:D4}{FileEnding}")).ToList();
            var missing = files.FindIndex(f => !File.Exists(f));
            if (missing >= 0)
            {
                throw new SegANException($"{files[missing]}: not found; case {id} lacks channel {missing} ({ChannelNames[missing]}) of {JsonPath}");
            }

            var label = labelFolder is null ? null : Path.Combine(labelFolder, id + FileEnding);
            if (label is not null && !File.Exists(label))
            {
                label = requireLabels ? throw new SegANException($"{label}: not found; training case {id} has no label map") : null;
            }

            return new CaseFiles(id, null, images, layout.ModalityNames, [.. channels.Select(c => files[c])], label);
        })];
    }

    /// <summary>The training label maps by case identifier (<c>labelsTr</c>, or the labels of the <c>dataset</c> list).</summary>
    public Dictionary<string, string> Truths()
    {
        if (_listed is not null)
        {
            return _listed.ToDictionary(p => p.Key, p => p.Value.Label, StringComparer.Ordinal);
        }

        var folder = Path.Combine(Root, "labelsTr");
        if (!Directory.Exists(folder))
        {
            throw new SegANException($"{folder}: not found; an nnU-Net dataset keeps its label maps in labelsTr");
        }

        return Directory.EnumerateFiles(folder, "*" + FileEnding)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .ToDictionary(f => Path.GetFileName(f)[..^FileEnding.Length], f => f, StringComparer.Ordinal);
    }

    /// <summary>The file-name pattern of channel <paramref name="index"/>: <c>*_0001.nii.gz</c>.</summary>
    public string ChannelPattern(int index) => string.Create(CultureInfo.InvariantCulture, $"*_{index:D4}{FileEnding}");

    private int ChannelOf(ModalityPattern modality)
    {
        for (var i = 0; i < ChannelNames.Count; i++)
        {
            if (string.Equals(modality.Pattern, ChannelPattern(i), StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new SegANException($"{JsonPath}: modality {modality.Name} ('{modality.Pattern}') is not a channel of this nnU-Net dataset; name channels of channel_names ({string.Join(", ", ChannelNames)}) instead of patterns");
    }

    private bool HasTestImages()
    {
        var folder = Path.Combine(Root, "imagesTs");
        return Directory.Exists(folder) && CaseIds(folder).Count > 0;
    }

    private List<string> CaseIds(string folder)
    {
        var suffix = "_0000" + FileEnding;
        return [.. Directory.EnumerateFiles(folder)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => !n.StartsWith('.') && n.Length > suffix.Length && n.EndsWith(suffix, StringComparison.Ordinal))
            .Select(n => n[..^suffix.Length])
            .Order(StringComparer.Ordinal)];
    }
}
