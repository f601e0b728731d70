using System.Text.Json;
using System.Text.Json.Serialization;
using SegAN.Compute;
using SegAN.Imaging;

namespace SegAN.Experiments;

/// <summary>
/// <c>settings.json</c> at an experiment's root: the fingerprint of the options that fix its budget
/// (<see cref="ExperimentOptions.Fingerprint"/>), so that a continuation with other options is refused.
/// </summary>
internal sealed record SettingsFile([property: JsonPropertyName("settings"), JsonRequired] string Settings)
{
    public const string FileName = "settings.json";

    public static SettingsFile Read(string path) => ExperimentJson.Read<SettingsFile>(path, "unreadable experiment settings");

    /// <summary>Writes the file unless it exists (another task created it at the same moment); false then.</summary>
    public bool WriteNew(string path) => ExperimentJson.WriteNew(path, this);
}

/// <summary>
/// <c>split.json</c> at an experiment's root: the held-out test cases and the cases the runs train on, by name, with
/// the seed and fraction that drew them.
/// </summary>
internal sealed record SplitFile(
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("test_fraction")] double TestFraction,
    [property: JsonPropertyName("train"), JsonRequired] IReadOnlyList<string> Train,
    [property: JsonPropertyName("test"), JsonRequired] IReadOnlyList<string> Test)
{
    public const string FileName = "split.json";

    public static SplitFile Read(string path) => ExperimentJson.Read<SplitFile>(path, "unreadable split");

    /// <summary>Writes the file unless it exists (another task created it at the same moment); false then.</summary>
    public bool WriteNew(string path) => ExperimentJson.WriteNew(path, this);

    /// <summary>Whether <paramref name="split"/> holds the same cases in the same order.</summary>
    public bool Matches(ExperimentSplit split) =>
        Train.SequenceEqual(split.Train.Select(c => c.Name)) && Test.SequenceEqual(split.Test.Select(c => c.Name));
}

/// <summary><c>system.json</c> in each run's folder: the machine and versions that trained and evaluated it.</summary>
internal static class SystemFile
{
    public const string FileName = "system.json";

    public static void Write(string path, SystemInfo system) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, system, JsonDefaults.Indented));

    /// <summary>The system a run recorded, or null when it has none (runs from before it was recorded) or it is unreadable.</summary>
    public static SystemInfo? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<SystemInfo>(File.ReadAllText(path), JsonDefaults.Indented) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Reading and writing an experiment's small JSON files, with the errors naming the file.</summary>
internal static class ExperimentJson
{
    public static T Read<T>(string path, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), JsonDefaults.Indented)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new SegANException($"{path}: {what} ({e.Message})", e);
        }
    }

    public static bool WriteNew<T>(string path, T value) =>
        AtomicFile.WriteNew(path, stream => JsonSerializer.Serialize(stream, value, JsonDefaults.Indented));

    public static void Write<T>(string path, T value) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, value, JsonDefaults.Indented));
}
