using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegAN;

/// <summary>The JSON settings of every file a run writes: indented, enums as names, invariant numbers.</summary>
internal static class JsonDefaults
{
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static JsonSerializerOptions Compact { get; } = new()
    {
        Converters = { new JsonStringEnumConverter() },
    };
}
