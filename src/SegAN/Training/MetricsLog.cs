using System.Text;
using System.Text.Json;
using SegAN.Imaging;

namespace SegAN.Training;

/// <summary>
/// One line of a run's <c>metrics.jsonl</c>: step, seconds, loss_critic, loss_segmentor, loss_dice, lr, and on lines
/// of a validation point val_dice_wt, val_dice_tc, val_dice_et, val_dice_mean (null here on the other lines). A loss
/// the variant lacks (U-Net's critic loss) is NaN here and null in the file.
/// </summary>
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
    double? ValDiceMean)
{
    /// <summary>The entry of a log point: <paramref name="seconds"/> rounded to milliseconds, validation when given.</summary>
    internal static TrainingLogEntry At(long step, double seconds, StepLosses losses, double lr, ValidationResult? validation) => new(
        step, Math.Round(seconds, 3), losses.Critic, losses.Segmentor, losses.Dice, lr, validation?.Wt, validation?.Tc, validation?.Et, validation?.Mean);

    /// <summary>The entry as one line of JSON (no line break).</summary>
    public string ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("step", Step);
            json.WriteNumber("seconds", Seconds);
            WriteNumberOrNull(json, "loss_critic", LossCritic);
            WriteNumberOrNull(json, "loss_segmentor", LossSegmentor);
            WriteNumberOrNull(json, "loss_dice", LossDice);
            json.WriteNumber("lr", LearningRate);
            if (ValDiceWt is { } wt && ValDiceTc is { } tc && ValDiceEt is { } et && ValDiceMean is { } mean)
            {
                json.WriteNumber("val_dice_wt", wt);
                json.WriteNumber("val_dice_tc", tc);
                json.WriteNumber("val_dice_et", et);
                json.WriteNumber("val_dice_mean", mean);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads one line written by <see cref="ToJsonLine"/>.</summary>
    public static TrainingLogEntry Parse(JsonElement e)
    {
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

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

/// <summary>
/// <c>metrics.jsonl</c>, one <see cref="TrainingLogEntry"/> per line: read here, and written during a run by the
/// trainer's metrics log, which averages the losses between two log points.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    /// <summary>The metrics file's name in a run folder.</summary>
    public const string FileName = "metrics.jsonl";

    private readonly StreamWriter _writer;
    private readonly int _every;
    private LossAverage _losses = new();

    private MetricsLog(StreamWriter writer, int every)
    {
        _writer = writer;
        _every = every;
    }

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
                entries.Add(TrainingLogEntry.Parse(json.RootElement));
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

    /// <summary>
    /// Appends to <paramref name="path"/> (UTF-8 without a byte-order mark: json.loads rejects one), or to nothing
    /// when <paramref name="write"/> is false (ranks other than 0); a line every <paramref name="every"/> steps.
    /// </summary>
    internal static MetricsLog Open(string path, bool write, int every) => new(
        write ? new StreamWriter(path, append: true, NoBom) { AutoFlush = true } : new StreamWriter(Stream.Null), every);

    /// <summary>
    /// Adds a step's losses; at a log point (every n-th step, or a validation point) writes their mean since the last
    /// one, with <paramref name="validation"/> on a validation point, and returns the line written (else null).
    /// </summary>
    internal string? Record(long step, double seconds, StepLosses losses, double lr, ValidationResult? validation, bool validationPoint)
    {
        _losses.Add(losses);
        if (step % _every != 0 && !validationPoint)
        {
            return null;
        }

        var line = TrainingLogEntry.At(step, seconds, _losses.Mean(), lr, validationPoint ? validation : null).ToJsonLine();
        _writer.WriteLine(line);
        _losses = new LossAverage();
        return line;
    }

    /// <summary>
    /// A resumed run continues after the checkpoint's step: lines logged after it (by the interrupted session) go,
    /// and so do lines without a readable step.
    /// </summary>
    internal static void TruncateAfter(string path, long step)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var kept = File.ReadLines(path).Where(line =>
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                return doc.RootElement.GetProperty("step").GetInt64() <= step;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return false;
            }
        }).ToList();
        AtomicFile.WriteText(path, kept.Count == 0 ? string.Empty : string.Join('\n', kept) + "\n");
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();

    private static readonly UTF8Encoding NoBom = new(encoderShouldEmitUTF8Identifier: false);

    // Mean losses between two log points; NaN terms stay NaN.
    private sealed class LossAverage
    {
        private double _critic;
        private double _segmentor;
        private double _dice;
        private int _count;

        public void Add(StepLosses l)
        {
            _critic += l.Critic;
            _segmentor += l.Segmentor;
            _dice += l.Dice;
            _count++;
        }

        public StepLosses Mean() => _count == 0
            ? new StepLosses(double.NaN, double.NaN, double.NaN, true)
            : new StepLosses(_critic / _count, _segmentor / _count, _dice / _count, true);
    }
}
