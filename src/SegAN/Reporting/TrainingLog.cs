using System.Text.Json;

namespace SegAN.Reporting;

/// <summary>One line of a run's <c>metrics.jsonl</c>; validation values are null on lines without a validation.</summary>
public sealed record TrainingLogEntry(
    long Step,
    double Seconds,
    double LossCritic,
    double LossSegmentor,
    double LossDice,
    double LearningRate,
    double? ValDiceWt,
    double? ValDiceTc,
    double? ValDiceEt,
    double? ValDiceMean);

/// <summary>Reads a run's <c>metrics.jsonl</c> (one JSON object per line: step, seconds, loss_critic, loss_segmentor, loss_dice, lr, and optional val_dice_wt/tc/et/mean).</summary>
public static class TrainingLog
{
    /// <summary>The entries of <paramref name="path"/> in file order. A truncated last line (a run still writing) is ignored; any other bad line is an error naming the file and line.</summary>
    public static IReadOnlyList<TrainingLogEntry> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SegANException($"{path}: training log not found");
        }

        string[] lines;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = new StreamReader(stream))
        {
            lines = reader.ReadToEnd().Split('\n');
        }

        var entries = new List<TrainingLogEntry>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line);
                entries.Add(Parse(json.RootElement));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                var isLast = lines.Skip(i + 1).All(l => l.Trim().Length == 0);
                if (isLast && e is JsonException)
                {
                    break; // the writer is mid-line
                }

                throw new SegANException($"{path}: line {i + 1} is not a training log entry: {e.Message}", e);
            }
        }

        return entries;
    }

    private static TrainingLogEntry Parse(JsonElement e)
    {
        // A loss the variant does not have (U-Net's critic loss) is written as null: read it as NaN.
        double Required(string name) => e.GetProperty(name) is { ValueKind: JsonValueKind.Null } ? double.NaN : e.GetProperty(name).GetDouble();
        double? Optional(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        return new TrainingLogEntry(
            e.GetProperty("step").GetInt64(),
            Required("seconds"),
            Required("loss_critic"),
            Required("loss_segmentor"),
            Required("loss_dice"),
            Required("lr"),
            Optional("val_dice_wt"),
            Optional("val_dice_tc"),
            Optional("val_dice_et"),
            Optional("val_dice_mean"));
    }
}
