using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using SegAN.Export;
using SegAN.Export.Onnx;
using SegAN.Persistence;

namespace SegAN.Inference;

/// <summary>Which kind of file a model came from.</summary>
public enum ModelFileKind
{
    /// <summary><c>model.segan</c>: TorchSharp weights and a JSON header.</summary>
    Segan,

    /// <summary>An ONNX export with SegAN metadata.</summary>
    Onnx,
}

/// <summary>
/// What a saved model needs and promises, read the same way from a <c>model.segan</c> or an exported <c>.onnx</c>:
/// its <see cref="ModelHeader"/> (architecture, modalities in input-channel order, label convention,
/// preprocessing). Reading it never loads weights into TorchSharp or starts libtorch.
/// </summary>
public sealed record SegmentationModelInfo(string Path, ModelFileKind Kind, ModelHeader Header)
{
    /// <summary>Modalities in input-channel order.</summary>
    public IReadOnlyList<string> Modalities => Header.Modalities;

    /// <summary>Input channels (one per modality).</summary>
    public int InChannels => Header.Architecture.InChannels;

    /// <summary>Slice height and width must be positive multiples of this.</summary>
    public int SizeMultiple => Header.Architecture.SizeMultiple;

    /// <summary>
    /// Reads the metadata of <paramref name="path"/>: a file ending in <c>.onnx</c> as ONNX (its SegAN
    /// <c>metadata_props</c>), anything else as <c>model.segan</c>. Errors name the file.
    /// </summary>
    public static SegmentationModelInfo Read(string path)
    {
        if (!IsOnnxPath(path))
        {
            return new SegmentationModelInfo(path, ModelFileKind.Segan, ModelFile.ReadHeader(path));
        }

        if (!File.Exists(path))
        {
            throw new SegANException($"{path}: no such model file.");
        }

        ModelProto model;
        try
        {
            using var stream = File.OpenRead(path);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SegANException($"{path}: not an ONNX model (unreadable protobuf: {e.Message})", e);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps)
        {
            metadata[entry.Key] = entry.Value;
        }

        return FromOnnxMetadata(path, metadata);
    }

    /// <summary>True when <paramref name="path"/> names an ONNX file (by its <c>.onnx</c> extension).</summary>
    public static bool IsOnnxPath(string path) =>
        string.Equals(System.IO.Path.GetExtension(path), ".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads and checks SegAN metadata from ONNX <c>metadata_props</c>; <paramref name="path"/> names the file in
    /// errors. Throws a <see cref="SegANException"/> when the marker is missing (a foreign model), the layout is
    /// newer than this build, or the header is missing or malformed.
    /// </summary>
    public static SegmentationModelInfo FromOnnxMetadata(string path, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(OnnxMetadataKeys.Format, out var format) || format != OnnxMetadataKeys.FormatValue)
        {
            throw new SegANException(
                $"{path}: not a SegAN.NET ONNX model (no {OnnxMetadataKeys.Format}={OnnxMetadataKeys.FormatValue} metadata); export one with 'segan export'.");
        }

        var layoutText = metadata.GetValueOrDefault(OnnxMetadataKeys.FormatVersion);
        if (!int.TryParse(layoutText, NumberStyles.None, CultureInfo.InvariantCulture, out var layout) || layout < 1)
        {
            throw new SegANException($"{path}: SegAN metadata {OnnxMetadataKeys.FormatVersion}='{layoutText}' is not a positive integer.");
        }

        if (layout > OnnxMetadataKeys.FormatVersionValue)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: SegAN ONNX metadata version {layout} is newer than this build reads ({OnnxMetadataKeys.FormatVersionValue}); update SegAN.NET."));
        }

        var regions = metadata.GetValueOrDefault(OnnxMetadataKeys.Regions);
        if (regions != OnnxMetadataKeys.RegionOrder)
        {
            throw new SegANException($"{path}: output regions are '{regions}', expected {OnnxMetadataKeys.RegionOrder}.");
        }

        if (!metadata.TryGetValue(OnnxMetadataKeys.Header, out var json))
        {
            throw new SegANException($"{path}: SegAN metadata {OnnxMetadataKeys.Header} is missing.");
        }

        ModelHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<ModelHeader>(json, JsonDefaults.Compact);
        }
        catch (JsonException e)
        {
            throw new SegANException($"{path}: unreadable SegAN metadata {OnnxMetadataKeys.Header}: {e.Message}", e);
        }

        if (header?.Architecture is null || header.Modalities is null || header.Modalities.Count != header.Architecture.InChannels)
        {
            throw new SegANException($"{path}: SegAN metadata {OnnxMetadataKeys.Header} lacks the architecture or lists the wrong number of modalities.");
        }

        try
        {
            header.Architecture.Validated();
        }
        catch (SegANException e)
        {
            throw new SegANException($"{path}: {e.Message}", e);
        }

        return new SegmentationModelInfo(path, ModelFileKind.Onnx, header);
    }

    /// <summary>Throws unless (n, c, h, w) images fit this model; names the model file.</summary>
    public void CheckInput(float[] images, int n, int c, int h, int w)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (n < 1 || c < 1 || h < 1 || w < 1 || (long)n * c * h * w != images.Length)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{images.Length} values do not make ({n}, {c}, {h}, {w}) images."), nameof(images));
        }

        if (c != InChannels)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{Path}: the model takes {InChannels} channels ({string.Join(", ", Modalities)}), got {c}."));
        }

        if (h % SizeMultiple != 0 || w % SizeMultiple != 0)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{Path}: slice size {h}x{w} must be a multiple of {SizeMultiple} in both directions; pad or crop the slices."));
        }
    }
}
