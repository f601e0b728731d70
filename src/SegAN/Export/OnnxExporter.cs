using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using SegAN.Export.Onnx;
using SegAN.Imaging;
using SegAN.Models;
using SegAN.Persistence;
using TorchSharp;

namespace SegAN.Export;

/// <summary>What <c>segan export</c> writes: the ONNX opset and, optionally, a fixed input height and width.</summary>
/// <param name="Opset">ONNX opset of the default domain, <see cref="OnnxExporter.MinOpset"/> to <see cref="OnnxExporter.MaxOpset"/>. Default 17.</param>
/// <param name="Height">Fixed input height, or null (the default) for a dynamic one.</param>
/// <param name="Width">Fixed input width, or null (the default) for a dynamic one.</param>
public sealed record OnnxExportOptions(int Opset = OnnxExporter.DefaultOpset, int? Height = null, int? Width = null)
{
    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public OnnxExportOptions Validated(int sizeMultiple)
    {
        if (Opset is < OnnxExporter.MinOpset or > OnnxExporter.MaxOpset)
        {
            throw new SegANException(Setting.Opset, string.Create(
                CultureInfo.InvariantCulture,
                $"opset {Opset} is not supported: SegAN.NET writes opsets {OnnxExporter.MinOpset} to {OnnxExporter.MaxOpset} (Softmax over one axis and Resize's half_pixel mode need 13)."));
        }

        if ((Height is null) != (Width is null))
        {
            throw new SegANException("Give both a fixed height and width, or neither (dynamic size).");
        }

        if (Height is { } h && Width is { } w && (h < sizeMultiple || w < sizeMultiple || h % sizeMultiple != 0 || w % sizeMultiple != 0))
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"Fixed size {h}x{w} does not fit the segmentor: height and width must be positive multiples of {sizeMultiple}."));
        }

        return this;
    }
}

/// <summary>What <see cref="OnnxExporter.Export(string, string?, OnnxExportOptions, string?, TritonOptions?)"/> wrote.</summary>
/// <param name="OnnxPath">The .onnx file, when one was asked for.</param>
/// <param name="TritonModelFolder">The Triton model folder (with config.pbtxt and 1/model.onnx), when asked for.</param>
/// <param name="Bytes">Size of the ONNX model.</param>
/// <param name="Header">The exported model's metadata.</param>
/// <param name="Opset">The ONNX opset written.</param>
public sealed record OnnxExportResult(string? OnnxPath, string? TritonModelFolder, long Bytes, ModelHeader Header, int Opset);

/// <summary>
/// Exports a trained segmentor to ONNX: input <c>image</c> (N, C, H, W) float, output <c>regions</c> (N, 3, H, W)
/// WT/TC/ET probabilities, weights as initializers (batch norms folded), a dynamic batch axis, and the SegAN
/// metadata (<see cref="OnnxMetadataKeys"/>) so that the file alone can segment a case.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX opset written unless another is asked for.</summary>
    public const int DefaultOpset = 17;
    /// <summary>The oldest opset the exporter writes.</summary>
    public const int MinOpset = 13;
    /// <summary>The newest opset the exporter writes.</summary>
    public const int MaxOpset = 21;

    /// <summary>
    /// Exports the model file <paramref name="modelPath"/> (<c>model.segan</c>, loaded on the CPU) to
    /// <paramref name="onnxPath"/> and/or, when <paramref name="tritonRepository"/> is given, to a Triton model
    /// repository there. At least one destination is required. Errors name the file.
    /// </summary>
    public static OnnxExportResult Export(
        string modelPath, string? onnxPath, OnnxExportOptions options, string? tritonRepository = null, TritonOptions? triton = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (onnxPath is null && tritonRepository is null)
        {
            throw new SegANException([Setting.OnnxFile, Setting.TritonRepository], "give an ONNX file to write, a Triton repository, or both.");
        }

        triton = (triton ?? new TritonOptions()).Validated();
        var header = ModelFile.ReadHeader(modelPath);
        options.Validated(header.Architecture.SizeMultiple);
        using var loaded = ModelFile.Load(modelPath, torch.CPU);
        var bytes = ToBytes(loaded.Segmentor, loaded.Header, options);
        if (onnxPath is not null)
        {
            WriteFile(onnxPath, bytes);
        }

        var folder = tritonRepository is null
            ? null
            : TritonRepository.Write(tritonRepository, bytes, loaded.Header, triton, options.Height, options.Width);
        return new OnnxExportResult(onnxPath, folder, bytes.Length, loaded.Header, options.Opset);
    }

    /// <summary>
    /// Writes <paramref name="model"/> (switched to eval mode) with the metadata of <paramref name="header"/> to
    /// <paramref name="path"/>, atomically.
    /// </summary>
    public static void Export(RegionSegmentor model, ModelHeader header, string path, OnnxExportOptions options)
    {
        WriteFile(path, ToBytes(model, header, options));
    }

    /// <summary>The ONNX model in memory, serialised (what <see cref="Export(RegionSegmentor, ModelHeader, string, OnnxExportOptions)"/> writes).</summary>
    public static byte[] ToBytes(RegionSegmentor model, ModelHeader header, OnnxExportOptions options) =>
        ToModel(model, header, options).ToByteArray();

    /// <summary>The ONNX model in memory.</summary>
    internal static ModelProto ToModel(RegionSegmentor model, ModelHeader header, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(options);
        var architecture = model.Architecture;
        if (header.Architecture != architecture)
        {
            throw new ArgumentException($"The header describes {header.Architecture}, the network is {architecture}.", nameof(header));
        }

        options.Validated(architecture.SizeMultiple);
        model.eval();

        var proto = new ModelProto
        {
            IrVersion = IrVersionFor(options.Opset),
            ProducerName = "SegAN.NET",
            ProducerVersion = SeganVersion,
            Domain = "net.segan",
            ModelVersion = 1,
            DocString = $"SegAN segmentor ({architecture}): image (N, C, H, W) -> regions (N, 3, H, W) WT, TC, ET probabilities.",
            Graph = SegmentorOnnxGraph.Build(model, options.Height, options.Width),
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = options.Opset });

        var props = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [OnnxMetadataKeys.Format] = OnnxMetadataKeys.FormatValue,
            [OnnxMetadataKeys.FormatVersion] = OnnxMetadataKeys.FormatVersionValue.ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.SeganVersion] = SeganVersion,
            [OnnxMetadataKeys.Header] = JsonSerializer.Serialize(header, JsonDefaults.Compact),
            [OnnxMetadataKeys.Variant] = architecture.Variant.CliName(),
            [OnnxMetadataKeys.Architecture] = JsonSerializer.Serialize(architecture, JsonDefaults.Compact),
            [OnnxMetadataKeys.Modalities] = JsonSerializer.Serialize(header.Modalities, JsonDefaults.Compact),
            [OnnxMetadataKeys.LabelConvention] = header.LabelConvention,
            [OnnxMetadataKeys.Regions] = OnnxMetadataKeys.RegionOrder,
            [OnnxMetadataKeys.SizeMultiple] = architecture.SizeMultiple.ToString(CultureInfo.InvariantCulture),
            [OnnxMetadataKeys.InputName] = OnnxMetadataKeys.ImageInput,
            [OnnxMetadataKeys.OutputName] = OnnxMetadataKeys.RegionsOutput,
        };
        if (header.Preprocessing is { } preprocessing)
        {
            props[OnnxMetadataKeys.Preprocessing] = preprocessing.GetRawText();
        }

        foreach (var (key, value) in props)
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return proto;
    }

    private static void WriteFile(string path, byte[] bytes)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegANException($"{path}: cannot write the ONNX model: {e.Message}", e);
        }

        AtomicFile.WriteBytes(path, bytes);
    }

    /// <summary>
    /// The IR version released with <paramref name="opset"/> (ONNX's version table): a runtime that knows the opset
    /// knows that IR, and the file claims nothing newer than it needs.
    /// </summary>
    internal static long IrVersionFor(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

    internal static string SeganVersion { get; } =
        typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "unknown";
}
