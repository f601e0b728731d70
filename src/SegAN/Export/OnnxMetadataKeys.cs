
namespace SegAN.Export;

/// <summary>
/// The <c>metadata_props</c> keys of a SegAN.NET .onnx file: everything prediction needs besides the graph, so
/// that the file alone can segment a case. Values are plain strings or JSON.
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>Format marker; its value is <see cref="FormatValue"/>. A file without it is not a SegAN.NET model.</summary>
    public const string Format = "segan.format";

    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatValue = "segan-onnx";

    /// <summary>Version of the metadata layout; readers reject a newer one than <see cref="FormatVersionValue"/>.</summary>
    public const string FormatVersion = "segan.format_version";

    /// <summary>The metadata layout this build writes and reads.</summary>
    public const int FormatVersionValue = 1;

    /// <summary>SegAN.NET version that exported the file.</summary>
    public const string SeganVersion = "segan.version";

    /// <summary>Variant command-line name (s3-3c, unet, ...).</summary>
    public const string Variant = "segan.variant";

    /// <summary>
    /// The <c>model.segan</c> header as compact JSON (architecture, modalities, label convention, preprocessing,
    /// training step, validation Dice, creation time): what readers rebuild the model's metadata from.
    /// </summary>
    public const string Header = "segan.header";

    /// <summary>The architecture as JSON (variant, in_channels, depth, base_width, critic_depth), for other tools.</summary>
    public const string Architecture = "segan.architecture";

    /// <summary>Modalities in input-channel order, as a JSON array of strings, for other tools.</summary>
    public const string Modalities = "segan.modalities";

    /// <summary>Intensity preprocessing applied to each modality before the network, as JSON, for other tools.</summary>
    public const string Preprocessing = "segan.preprocessing";

    /// <summary>Name of the label convention used to write label maps from the regions, for other tools.</summary>
    public const string LabelConvention = "segan.label_convention";

    /// <summary>Output channels in order, comma separated: WT,TC,ET.</summary>
    public const string Regions = "segan.regions";

    /// <summary>Input height and width must be positive multiples of this.</summary>
    public const string SizeMultiple = "segan.size_multiple";

    /// <summary>Name of the graph input: (N, C, H, W) float images.</summary>
    public const string InputName = "segan.input";

    /// <summary>Name of the graph output: (N, 3, H, W) float region probabilities.</summary>
    public const string OutputName = "segan.output";

    /// <summary>The graph input every SegAN.NET ONNX model has: (N, C, H, W) float images.</summary>
    public const string ImageInput = "image";

    /// <summary>The graph output every SegAN.NET ONNX model has: (N, 3, H, W) float region probabilities.</summary>
    public const string RegionsOutput = "regions";

    /// <summary>The value of <see cref="Regions"/>: the output channels in order.</summary>
    public const string RegionOrder = "WT,TC,ET";
}
