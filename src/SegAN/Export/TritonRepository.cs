using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SegAN.Imaging;
using SegAN.Persistence;

namespace SegAN.Export;

/// <summary>How an exported model is laid out for Triton Inference Server.</summary>
/// <param name="Name">Model name, also its folder name. Default <c>segan</c>.</param>
/// <param name="MaxBatchSize">Largest batch Triton may form; 0 disables Triton's batching. Default 32.</param>
public sealed partial record TritonOptions(string Name = "segan", int MaxBatchSize = 32)
{
    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public TritonOptions Validated()
    {
        if (!ModelName().IsMatch(Name))
        {
            throw new SegANException($"Triton model name '{Name}' must be letters, digits, '-', '_' or '.', starting with a letter or digit.");
        }

        if (MaxBatchSize < 0)
        {
            throw new SegANException(Setting.MaxBatchSize, string.Create(CultureInfo.InvariantCulture, $"Triton max batch size {MaxBatchSize} must be 0 (no batching) or positive."));
        }

        return this;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex ModelName();
}

/// <summary>
/// Writes a Triton Inference Server model repository for an exported segmentor:
/// <c>DIR/NAME/config.pbtxt</c> (backend onnxruntime, input <c>image</c> and output <c>regions</c>, FP32) and
/// <c>DIR/NAME/1/model.onnx</c>. Triton itself is not run by SegAN.NET.
/// </summary>
public static class TritonRepository
{
    /// <summary>The model's config file name inside its folder.</summary>
    public const string ConfigFileName = "config.pbtxt";

    /// <summary>
    /// Writes the repository entry for <paramref name="onnxModel"/> (the serialised ONNX model) under
    /// <paramref name="repository"/>; returns the model folder. Fixed <paramref name="height"/> and
    /// <paramref name="width"/> appear in the config; null ones are dynamic (-1).
    /// </summary>
    public static string Write(string repository, byte[] onnxModel, ModelHeader header, TritonOptions options, int? height = null, int? width = null)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(options);
        options.Validated();
        var folder = Path.Combine(Path.GetFullPath(repository), options.Name);
        var version = Path.Combine(folder, "1");
        try
        {
            Directory.CreateDirectory(version);
            AtomicFile.WriteBytes(Path.Combine(version, "model.onnx"), onnxModel);
            AtomicFile.WriteBytes(Path.Combine(folder, ConfigFileName), Encoding.UTF8.GetBytes(Config(header, options, height, width)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegANException($"{repository}: cannot write the Triton model repository: {e.Message}", e);
        }

        return folder;
    }

    /// <summary>
    /// The <c>config.pbtxt</c> text. With batching the batch axis is implicit (Triton adds it), so dims are
    /// (C, H, W); without it they are (-1, C, H, W).
    /// </summary>
    public static string Config(ModelHeader header, TritonOptions options, int? height = null, int? width = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(options);
        var batchDim = options.MaxBatchSize > 0 ? string.Empty : "-1, ";
        var h = (height ?? -1).ToString(CultureInfo.InvariantCulture);
        var w = (width ?? -1).ToString(CultureInfo.InvariantCulture);
        var c = header.Architecture.InChannels.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append(Comment($"SegAN.NET {OnnxExporter.SeganVersion}: {header.Architecture}"));
        text.Append(Comment($"input image: one channel per modality, in this order: {string.Join(", ", header.Modalities)}"));
        text.Append(Comment($"output regions: {OnnxMetadataKeys.RegionOrder} probabilities; label convention {header.LabelConvention}"));
        text.Append(CultureInfo.InvariantCulture, $"name: \"{options.Name}\"\n");
        text.Append("backend: \"onnxruntime\"\n");
        text.Append(CultureInfo.InvariantCulture, $"max_batch_size: {options.MaxBatchSize}\n");
        text.Append(CultureInfo.InvariantCulture, $"input [\n  {{\n    name: \"{OnnxMetadataKeys.ImageInput}\"\n    data_type: TYPE_FP32\n    dims: [ {batchDim}{c}, {h}, {w} ]\n  }}\n]\n");
        text.Append(CultureInfo.InvariantCulture, $"output [\n  {{\n    name: \"{OnnxMetadataKeys.RegionsOutput}\"\n    data_type: TYPE_FP32\n    dims: [ {batchDim}3, {h}, {w} ]\n  }}\n]\n");
        if (options.MaxBatchSize > 0)
        {
            text.Append("dynamic_batching { }\n");
        }

        return text.ToString();
    }

    // Names come from the model file; a line break in one must not end the comment.
    private static string Comment(string text) => "# " + text.ReplaceLineEndings(" ") + "\n";
}
