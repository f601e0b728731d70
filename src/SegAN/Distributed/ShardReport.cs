using System.Text.Json;
using System.Text.Json.Serialization;
using SegAN.Imaging;

namespace SegAN.Distributed;

/// <summary>One case a shard could not process.</summary>
/// <param name="Case">The case's name.</param>
/// <param name="Error">The error message.</param>
public sealed record CaseFailure(
    [property: JsonPropertyName("case")] string Case,
    [property: JsonPropertyName("error")] string Error);

/// <summary>
/// What one shard of a batch job did, written as <c>failures-shard-K-of-N.json</c> into the output folder when the
/// shard ends (also when nothing failed, so that its presence says the shard ran to the end): its cases, how many
/// it wrote, how many it skipped because their output already existed (a requeued task), and the failures.
/// </summary>
/// <param name="Shard">The shard as <c>K/N</c>.</param>
/// <param name="Cases">Cases assigned to this shard.</param>
/// <param name="Written">Cases whose output this run wrote.</param>
/// <param name="Skipped">Cases whose complete output already existed.</param>
/// <param name="Failures">Cases that failed, with their errors.</param>
public sealed record ShardReport(
    [property: JsonPropertyName("shard")] string Shard,
    [property: JsonPropertyName("cases")] int Cases,
    [property: JsonPropertyName("written")] int Written,
    [property: JsonPropertyName("skipped")] int Skipped,
    [property: JsonPropertyName("failures")] IReadOnlyList<CaseFailure> Failures)
{
    /// <summary>Writes the report atomically as <paramref name="shard"/>'s failures file in <paramref name="folder"/>; returns its path.</summary>
    public string Write(string folder, ShardSpec shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        var path = Path.Combine(folder, shard.FailuresFileName);
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, this, JsonDefaults.Indented));
        return path;
    }

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    public static ShardReport Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ShardReport>(File.ReadAllText(path), JsonDefaults.Indented)
                ?? throw new SegANException($"{path}: empty shard report.");
        }
        catch (JsonException e)
        {
            throw new SegANException($"{path}: unreadable shard report: {e.Message}", e);
        }
    }
}
