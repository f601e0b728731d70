using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SegAN.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Persistence;

/// <summary>What a model file says about itself, besides its weights (the JSON header of <c>model.segan</c>).</summary>
/// <param name="FormatVersion">Version of the file format.</param>
/// <param name="Architecture">How to rebuild the networks.</param>
/// <param name="Modalities">Input channel names, in the order the network expects them (e.g. t1, t1ce, t2, flair).</param>
/// <param name="LabelConvention">Name of the label convention the targets were built with (e.g. brats-2017).</param>
/// <param name="Preprocessing">The caller's preprocessing parameters, stored verbatim (opaque to this class).</param>
/// <param name="Step">Training step the weights come from.</param>
/// <param name="ValidationDice">Mean validation Dice at that step, when validated.</param>
/// <param name="Created">UTC time of writing.</param>
public sealed record ModelHeader(
    [property: JsonPropertyName("format_version")] int FormatVersion,
    [property: JsonPropertyName("architecture")] SegANArchitecture Architecture,
    [property: JsonPropertyName("modalities")] IReadOnlyList<string> Modalities,
    [property: JsonPropertyName("label_convention")] string LabelConvention,
    [property: JsonPropertyName("preprocessing")] JsonElement? Preprocessing,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("validation_dice")] double? ValidationDice,
    [property: JsonPropertyName("created")] DateTimeOffset Created)
{
    /// <summary>
    /// Throws a <see cref="SegANException"/> unless <paramref name="modalities"/> are this model's, in its order
    /// (names compared case-insensitively).
    /// </summary>
    public void EnsureModalities(IReadOnlyList<string> modalities, string path)
    {
        if (modalities.Count != Modalities.Count
            || !modalities.Zip(Modalities).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)))
        {
            throw new SegANException(
                $"{path}: the model was trained on {Modalities.Count} modalities ({string.Join(", ", Modalities)}) but {modalities.Count} were given ({string.Join(", ", modalities)}); give the same modalities in the same order.");
        }
    }
}

/// <summary>The metadata a caller supplies when saving a model.</summary>
public sealed record ModelMetadata(
    IReadOnlyList<string> Modalities,
    string LabelConvention,
    JsonElement? Preprocessing = null,
    long Step = 0,
    double? ValidationDice = null);

/// <summary>A loaded model: its header and its segmentor in evaluation mode on the requested device.</summary>
public sealed class LoadedModel(ModelHeader header, RegionSegmentor segmentor) : IDisposable
{
    /// <summary>The model file's header: architecture, modalities, labels and preprocessing.</summary>
    public ModelHeader Header { get; } = header;

    /// <summary>The trained segmentor, in evaluation mode.</summary>
    public RegionSegmentor Segmentor { get; } = segmentor;

    /// <summary>Frees the segmentor's tensors.</summary>
    public void Dispose() => Segmentor.Dispose();
}

/// <summary>
/// <c>model.segan</c>: ONE self-describing file with the segmentor's weights (critics are not needed to predict), its
/// architecture, modality names and order, preprocessing parameters, label convention and format version.
/// Layout: see <see cref="SegANContainer"/> (kind 'M'), payload = the TorchSharp state dictionary of
/// <see cref="RegionSegmentor"/>.
/// </summary>
public static class ModelFile
{
    /// <summary>The best model's name in a run folder.</summary>
    public const string FileName = "model.segan";

    /// <summary>The version this build writes (and the newest it reads).</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes <paramref name="segmentor"/> and its metadata to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, RegionSegmentor segmentor, ModelMetadata metadata)
    {
        if (metadata.Modalities.Count != segmentor.Architecture.InChannels)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: {metadata.Modalities.Count} modality names for a network with {segmentor.Architecture.InChannels} input channels."));
        }

        var header = new ModelHeader(
            FormatVersion, segmentor.Architecture, [.. metadata.Modalities], metadata.LabelConvention, metadata.Preprocessing,
            metadata.Step, metadata.ValidationDice, DateTimeOffset.UtcNow);
        SegANContainer.Write(path, 'M', FormatVersion, JsonSerializer.Serialize(header, JsonDefaults.Indented), writer =>
            SegANContainer.WriteBlob(writer, s => segmentor.save(s)));
    }

    /// <summary>Reads only the header (cheap: no weights are loaded).</summary>
    public static ModelHeader ReadHeader(string path)
    {
        var (json, reader) = SegANContainer.Open(path, 'M', FormatVersion, "SegAN.NET model");
        using (reader)
        {
            return ParseHeader(path, json);
        }
    }

    /// <summary>
    /// Loads the model onto <paramref name="device"/> (CPU by default) in evaluation mode. When
    /// <paramref name="expectedModalities"/> is given, they must match the model's names and order.
    /// </summary>
    public static LoadedModel Load(string path, Device? device = null, IReadOnlyList<string>? expectedModalities = null)
    {
        var (json, reader) = SegANContainer.Open(path, 'M', FormatVersion, "SegAN.NET model");
        using (reader)
        {
            var header = ParseHeader(path, json);
            if (expectedModalities is not null)
            {
                header.EnsureModalities(expectedModalities, path);
            }

            // The header may claim any size: a network the file's bytes cannot hold is refused before it is built.
            var present = reader.BaseStream.Length - reader.BaseStream.Position;
            var claimed = header.Architecture.MinimumWeightBytes();
            if (claimed > present)
            {
                throw new SegANException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: the header's architecture ({header.Architecture}) needs at least {claimed} bytes of weights, the file holds {present}: the weights do not match the header, or the file is truncated"));
            }

            var segmentor = new RegionSegmentor(header.Architecture);
            try
            {
                LoadWeights(path, reader, segmentor);
                segmentor.to(device ?? CPU);
                segmentor.eval();
                return new LoadedModel(header, segmentor);
            }
            catch
            {
                segmentor.Dispose();
                throw;
            }
        }
    }

    /// <summary>Loads the file's weights into an existing segmentor, which must have the file's architecture.</summary>
    public static ModelHeader LoadInto(string path, RegionSegmentor target)
    {
        var (json, reader) = SegANContainer.Open(path, 'M', FormatVersion, "SegAN.NET model");
        using (reader)
        {
            var header = ParseHeader(path, json);
            if (header.Architecture != target.Architecture)
            {
                throw new SegANException($"{path}: the model's architecture ({header.Architecture}) differs from the network it is loaded into ({target.Architecture}).");
            }

            LoadWeights(path, reader, target);
            return header;
        }
    }

    private static void LoadWeights(string path, BinaryReader reader, RegionSegmentor segmentor)
    {
        try
        {
            using var blob = SegANContainer.ReadBlob(reader);
            segmentor.load(blob, strict: true);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
        {
            throw new SegANException($"{path}: the weights do not match the architecture in the header ({segmentor.Architecture}), or the file is truncated: {e.Message}", e);
        }
    }

    private static ModelHeader ParseHeader(string path, string json)
    {
        ModelHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<ModelHeader>(json, JsonDefaults.Indented);
        }
        catch (JsonException e)
        {
            throw new SegANException($"{path}: unreadable model header: {e.Message}", e);
        }

        if (header?.Architecture is null || header.Modalities is null)
        {
            throw new SegANException($"{path}: the model header lacks its architecture or modalities.");
        }

        try
        {
            header.Architecture.Validated();
        }
        catch (SegANException e)
        {
            throw new SegANException($"{path}: {e.Message}", e);
        }

        if (header.Modalities.Count != header.Architecture.InChannels)
        {
            throw new SegANException($"{path}: the header lists {header.Modalities.Count} modalities for {header.Architecture.InChannels} input channels.");
        }

        return header;
    }
}
