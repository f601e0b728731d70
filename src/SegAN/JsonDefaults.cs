using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegAN;

/// <summary>
/// The JSON settings of everything SegAN writes, defined once: enums as names, property names from the records'
/// <see cref="JsonPropertyNameAttribute"/>s (no naming policy), and read-only so that no caller can change another's
/// format. Each variant is a written format; what differs between two files (a member left out when null, named
/// floating-point literals) is an attribute on the record that needs it.
/// </summary>
public static class JsonDefaults
{
    /// <summary>
    /// Files on disk and JSON printed for a person: <c>system.json</c>, <c>settings.json</c>, <c>summary.json</c>,
    /// <c>results.json</c>, the model and checkpoint headers, shard reports and <c>segan info --json</c>. Indented,
    /// with the default (HTML-safe) escaping; a NaN or infinite number is an error.
    /// </summary>
    public static JsonSerializerOptions Indented { get; } = ReadOnly(new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    });

    /// <summary>
    /// <c>segan inspect --json</c>: as <see cref="Indented"/>, but NaN and infinite numbers are written as
    /// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>, because an image header holds whatever its writer
    /// put there (spacing, affine) and the description must still print. (An attribute cannot say this for the
    /// affine's rows: number handling does not reach the inner arrays of a <c>double[][]</c>.)
    /// </summary>
    public static JsonSerializerOptions IndentedNamedFloats { get; } = ReadOnly(new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    });

    /// <summary>
    /// JSON kept inside another file: the model header and architecture in ONNX metadata, the preprocessing
    /// element of a model header. As <see cref="Indented"/>, on one line.
    /// </summary>
    public static JsonSerializerOptions Compact { get; } = ReadOnly(new()
    {
        Converters = { new JsonStringEnumConverter() },
    });

    /// <summary>
    /// The MONAI Label server's responses: on one line, escaping only what JSON requires. They are never embedded in
    /// HTML, so quotes, apostrophes and accented letters in messages and names stay readable.
    /// </summary>
    public static JsonSerializerOptions Relaxed { get; } = ReadOnly(new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    });

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
