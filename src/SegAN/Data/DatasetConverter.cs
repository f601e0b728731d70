using System.Globalization;
using System.Text;
using System.Text.Json;
using SegAN.Imaging;

namespace SegAN.Data;

/// <summary>
/// Converts between the BraTS layout (a folder per case) and nnU-Net v2's raw layout as nnU-Net's own BraTS
/// conversion (Dataset137) does: channels T1, T1ce, T2, Flair as 0000-0003, labels renumbered through the regions
/// (BraTS 2021's 1/2/4 become 2/1/3), region-based <c>labels</c> with <c>regions_class_order</c> [1, 2, 3]. Images
/// already in NIfTI .nii.gz are copied byte for byte; labels that keep their regions survive a round trip unchanged
/// (the 2015 non-enhancing label 3 and the 2024 resection cavity 4 do not: neither is a region of its own). The
/// output is written into a temporary folder that takes its final name only when complete.
/// </summary>
public static class DatasetConverter
{
    /// <summary>The four modalities of a conversion, in nnU-Net's BraTS channel order.</summary>
    public static IReadOnlyList<string> Modalities { get; } = ["T1", "T1c", "T2", "FLAIR"];

    private static readonly string[] ChannelNames = ["T1", "T1ce", "T2", "Flair"];

    /// <summary>
    /// Writes <paramref name="cases"/> (read with the <paramref name="source"/> numbering; their modalities
    /// <see cref="Modalities"/> in that order) as <c>OUT/DatasetIII_NAME</c>: cases with a segmentation into
    /// imagesTr and labelsTr, the others into imagesTs. Returns the dataset folder.
    /// </summary>
    public static string ToNnUNet(IReadOnlyList<CaseFiles> cases, LabelConvention source, string outRoot, int id, string name)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(outRoot);
        ArgumentNullException.ThrowIfNull(name);
        if (id is < 1 or > 999)
        {
            throw new SegANException(Setting.DatasetId, $"dataset id {id}: an nnU-Net dataset id has three digits (1-999)");
        }

        if (name.Length == 0 || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
        {
            throw new SegANException(Setting.DatasetName, $"dataset name '{name}': use letters, digits and '-' (nnU-Net splits the folder name at '_')");
        }

        var folder = Path.Combine(outRoot, string.Create(CultureInfo.InvariantCulture, $"Dataset{id:D3}_{name}"));
        var training = cases.Count(c => c.SegFile is not null);
        WriteFolder(folder, staging =>
        {
            foreach (var c in cases)
            {
                CheckModalities(c);
                var images = Directory.CreateDirectory(Path.Combine(staging, c.SegFile is null ? "imagesTs" : "imagesTr")).FullName;
                for (var k = 0; k < c.ModalityFiles.Count; k++)
                {
                    CopyImage(c.ModalityFiles[k], Path.Combine(images, string.Create(CultureInfo.InvariantCulture, $"{c.Name}_{k:D4}.nii.gz")));
                }

                if (c.SegFile is { } seg)
                {
                    var labels = Directory.CreateDirectory(Path.Combine(staging, "labelsTr")).FullName;
                    Relabel(seg, source, LabelConvention.NnUNetBrats, Path.Combine(labels, c.Name + ".nii.gz"));
                }
            }

            File.WriteAllText(Path.Combine(staging, NnUNetDataset.JsonFileName), DatasetJson(name, training), new UTF8Encoding(false));
        });
        return folder;
    }

    /// <summary>
    /// Writes the cases of <paramref name="dataset"/> in the BraTS layout of <paramref name="target"/>'s release as
    /// <c>OUT/CASE/CASE_t1.nii.gz</c> ... (2023 and 2024: <c>CASE-t1n.nii.gz</c> ...): the training cases with
    /// their label maps renumbered, then the test cases of imagesTs without. Returns the number of cases.
    /// </summary>
    public static int ToBrats(NnUNetDataset dataset, LabelConvention target, string outRoot)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(outRoot);
        if (target is LabelConvention.Brats2015 or LabelConvention.NnUNetBrats)
        {
            throw new SegANException(Setting.Labels, $"label convention {target.Name()}: convert to brats2021, brats2023 or brats2024-gli");
        }

        var preset = DatasetPresets.ForConvention(target);
        var layout = dataset.Layout(Modalities);
        var train = dataset.Discover(layout, requireLabels: true);
        var testFolder = Path.Combine(dataset.Root, "imagesTs");
        var test = Directory.Exists(testFolder) && Directory.EnumerateFiles(testFolder, "*_0000" + dataset.FileEnding).Any()
            ? dataset.Discover(layout, requireLabels: false)
            : [];
        var names = DatasetPresets.AllModalities(preset).Select(m => m.Pattern[1..]).ToList(); // "*_t1.nii.gz" -> "_t1.nii.gz"
        var seg = DatasetPresets.SegPattern(preset)[1..];
        WriteFolder(outRoot, staging =>
        {
            foreach (var c in train.Concat(test))
            {
                var folder = Directory.CreateDirectory(Path.Combine(staging, c.Name)).FullName;
                for (var k = 0; k < c.ModalityFiles.Count; k++)
                {
                    CopyImage(c.ModalityFiles[k], Path.Combine(folder, c.Name + names[k]));
                }

                if (c.SegFile is { } labels)
                {
                    Relabel(labels, dataset.Labels, target, Path.Combine(folder, c.Name + seg));
                }
            }
        });
        return train.Count + test.Count;
    }

    /// <summary>nnU-Net's dataset.json of a converted BraTS dataset (keys in nnU-Net's order: the region order matters).</summary>
    public static string DatasetJson(string name, int numTraining)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("channel_names");
            for (var k = 0; k < ChannelNames.Length; k++)
            {
                json.WriteString(k.ToString(CultureInfo.InvariantCulture), ChannelNames[k]);
            }

            json.WriteEndObject();
            json.WriteStartObject("labels");
            json.WriteNumber("background", 0);
            WriteArray(json, "whole tumor", BratsLabels.RegionLabels(LabelConvention.NnUNetBrats, Region.WholeTumour));
            WriteArray(json, "tumor core", BratsLabels.RegionLabels(LabelConvention.NnUNetBrats, Region.TumourCore));
            WriteArray(json, "enhancing tumor", BratsLabels.RegionLabels(LabelConvention.NnUNetBrats, Region.EnhancingTumour));
            json.WriteEndObject();
            WriteArray(json, "regions_class_order", [1, 2, 3]);
            json.WriteNumber("numTraining", numTraining);
            json.WriteString("file_ending", ".nii.gz");
            json.WriteString("name", name);
            json.WriteString("description", "converted by segan convert --to nnunet");
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IReadOnlyList<int> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteNumberValue(v);
        }

        json.WriteEndArray();
    }

    private static void CheckModalities(CaseFiles c)
    {
        if (!c.Modalities.Select(m => m.ToUpperInvariant()).SequenceEqual(Modalities.Select(m => m.ToUpperInvariant())))
        {
            throw new SegANException($"case {c.Name} ({c.Directory}): a conversion needs the modalities {string.Join(", ", Modalities)} in that order, got {string.Join(", ", c.Modalities)}");
        }
    }

    private static void CopyImage(string from, string to)
    {
        if (from.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
        {
            File.Copy(from, to);
        }
        else
        {
            NiftiFile.Write(to, ImageFile.Read(from)); // MetaImage or uncompressed NIfTI: re-encoded as float32 .nii.gz
        }
    }

    // Through the regions, so a label keeps its meaning rather than its number; the header's geometry is kept.
    private static void Relabel(string from, LabelConvention source, LabelConvention target, string to)
    {
        var volume = ImageFile.Read(from);
        var labels = BratsLabels.FromRegions(BratsLabels.ToRegions(volume.Data, source, from), target);
        NiftiFile.Write(to, volume.WithData([.. labels.Select(b => (float)b)]), NiftiDataType.UInt8);
    }

    private static void WriteFolder(string folder, Action<string> write)
    {
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new SegANException($"{folder}: already exists and is not empty; choose another output folder");
        }

        var staging = folder.TrimEnd(Path.DirectorySeparatorChar) + ".partial";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder);
        }

        Directory.Move(staging, folder);
    }
}
