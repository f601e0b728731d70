using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Evaluation;

/// <summary>
/// <c>summary.json</c>, written by <c>segan evaluate</c> and read back by experiments: the label convention, the
/// number of cases, the lesion-wise settings when they were asked for, per region (WT, TC, ET) each metric's
/// statistics, the mean over regions and the missing cases. Numbers are rounded to 6 decimals; a statistic without
/// cases is <c>null</c> (JSON has no NaN).
/// </summary>
internal sealed record EvaluationSummaryFile(
    [property: JsonPropertyName("labels"), JsonRequired] string Labels,
    [property: JsonPropertyName("cases_evaluated"), JsonRequired] int CasesEvaluated,
    [property: JsonPropertyName("lesion_wise"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LesionWiseSettings? LesionWise,
    [property: JsonPropertyName("regions"), JsonRequired] IReadOnlyDictionary<string, RegionStatistics> Regions,
    [property: JsonPropertyName("mean"), JsonRequired] MeanScores Mean,
    [property: JsonPropertyName("missing_predictions"), JsonRequired] IReadOnlyList<string> MissingPredictions,
    [property: JsonPropertyName("missing_truths"), JsonRequired] IReadOnlyList<string> MissingTruths)
{
    public const string FileName = "summary.json";

    /// <summary>The summary of <paramref name="result"/>.</summary>
    public static EvaluationSummaryFile From(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lesionWise = result.LesionWise is { } challenge
            ? new LesionWiseSettings(challenge.Name(), challenge.Dilation(), challenge.VolumeThreshold(), LesionWiseSettings.Hd95Definition)
            : null;
        var regions = result.Regions.ToDictionary(r => r.Region.ShortName(), RegionStatistics.From);
        var mean = new MeanScores(
            Round(result.Regions.Average(r => r.Dice.Mean)),
            Round(result.Regions.Average(r => r.Precision.Mean)),
            Round(result.Regions.Average(r => r.Sensitivity.Mean)),
            Round(result.Regions.Average(r => r.Specificity.Mean)),
            Round(result.Regions.Average(r => r.Hd95.Mean)),
            result.LesionWise is null
                ? null
                : new LesionMeans(
                    Round(result.Regions.Average(r => r.LesionWise!.Dice.Mean)),
                    Round(result.Regions.Average(r => r.LesionWise!.Hd95.Mean))));
        return new EvaluationSummaryFile(
            result.Labels.Name(), result.Cases.Count, lesionWise, regions, mean, [.. result.MissingPredictions], [.. result.MissingTruths]);
    }

    /// <summary>Reads a summary; a file that is not one is an error naming it.</summary>
    public static EvaluationSummaryFile Read(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<EvaluationSummaryFile>(File.ReadAllText(path), JsonDefaults.Indented)
                ?? throw new JsonException("the file holds null");
            return file.IsComplete ? file : throw new JsonException("a required value is null");
        }
        catch (JsonException e)
        {
            throw new SegANException($"{path}: not an evaluation summary ({e.Message})", e);
        }
    }

    // JSON may hold null where the record's types say it cannot.
    private bool IsComplete =>
        Labels is not null && Regions is not null && Mean is not null && MissingPredictions is not null && MissingTruths is not null
        && Regions.Values.All(r => r is { Dice: not null, Precision: not null, Sensitivity: not null, Specificity: not null, Hd95: not null });

    /// <summary>The file's text: indented JSON and a final newline.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonDefaults.Indented) + "\n";

    /// <summary>Writes the file atomically.</summary>
    public void Write(string path)
    {
        var bytes = new UTF8Encoding(false).GetBytes(ToJson());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>A number as the file holds it: rounded to 6 decimals, null when not finite.</summary>
    public static double? Round(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;
}

/// <summary>The lesion-wise settings in <c>summary.json</c>: the BraTS challenge, its dilation and volume threshold.</summary>
internal sealed record LesionWiseSettings(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("dilation")] int Dilation,
    [property: JsonPropertyName("volume_threshold_mm3")] double VolumeThresholdMm3,
    [property: JsonPropertyName("hd95")] string Hd95)
{
    public const string Hd95Definition = "surface-distance (DeepMind) robust Hausdorff; 374 mm per missed or false-positive lesion";
}

/// <summary>A metric's statistics over the cases: mean, median, standard deviation, min and max.</summary>
internal sealed record MetricStatistics(
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("median")] double? Median,
    [property: JsonPropertyName("std")] double? Std,
    [property: JsonPropertyName("min")] double? Min,
    [property: JsonPropertyName("max")] double? Max)
{
    public static MetricStatistics From(MetricSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new(
            EvaluationSummaryFile.Round(summary.Mean),
            EvaluationSummaryFile.Round(summary.Median),
            EvaluationSummaryFile.Round(summary.Std),
            EvaluationSummaryFile.Round(summary.Min),
            EvaluationSummaryFile.Round(summary.Max));
    }
}

/// <summary>One region in <c>summary.json</c>: the five metrics' statistics, then the lesion-wise ones when asked for.</summary>
internal sealed record RegionStatistics(
    [property: JsonPropertyName("dice"), JsonRequired] MetricStatistics Dice,
    [property: JsonPropertyName("precision"), JsonRequired] MetricStatistics Precision,
    [property: JsonPropertyName("sensitivity"), JsonRequired] MetricStatistics Sensitivity,
    [property: JsonPropertyName("specificity"), JsonRequired] MetricStatistics Specificity,
    [property: JsonPropertyName("hd95"), JsonRequired] MetricStatistics Hd95,
    [property: JsonPropertyName("lesion_dice"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MetricStatistics? LesionDice = null,
    [property: JsonPropertyName("lesion_hd95"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MetricStatistics? LesionHd95 = null,
    [property: JsonPropertyName("lesion_tp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LesionTruePositives = null,
    [property: JsonPropertyName("lesion_fp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LesionFalsePositives = null,
    [property: JsonPropertyName("lesion_fn"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? LesionFalseNegatives = null)
{
    public static RegionStatistics From(RegionSummary region)
    {
        ArgumentNullException.ThrowIfNull(region);
        var lesions = region.LesionWise;
        return new(
            MetricStatistics.From(region.Dice),
            MetricStatistics.From(region.Precision),
            MetricStatistics.From(region.Sensitivity),
            MetricStatistics.From(region.Specificity),
            MetricStatistics.From(region.Hd95),
            lesions is null ? null : MetricStatistics.From(lesions.Dice),
            lesions is null ? null : MetricStatistics.From(lesions.Hd95),
            lesions?.TruePositives,
            lesions?.FalsePositives,
            lesions?.FalseNegatives);
    }
}

/// <summary>The lesion-wise means over regions; either may be null (no evaluated case) while the pair is present.</summary>
internal sealed record LesionMeans(double? Dice, double? Hd95);

/// <summary>
/// The means over regions in <c>summary.json</c>. The lesion-wise pair is written only when lesion-wise scores were
/// asked for, and then even when null, so the record carries its own converter: a property that is null must be
/// told apart from one that is absent.
/// </summary>
[JsonConverter(typeof(MeanScoresConverter))]
internal sealed record MeanScores(double? Dice, double? Precision, double? Sensitivity, double? Specificity, double? Hd95, LesionMeans? LesionWise);

/// <summary>Reads and writes <see cref="MeanScores"/> with the names <c>summary.json</c> has always used.</summary>
internal sealed class MeanScoresConverter : JsonConverter<MeanScores>
{
    public override MeanScores Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("the mean is not an object");
        }

        var values = new Dictionary<string, double?>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            values[name] = reader.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.Number => reader.GetDouble(),
                _ => throw new JsonException($"the mean's {name} is not a number"),
            };
        }

        double? Value(string name) => values.GetValueOrDefault(name);
        var lesionWise = values.ContainsKey("lesion_dice") || values.ContainsKey("lesion_hd95")
            ? new LesionMeans(Value("lesion_dice"), Value("lesion_hd95"))
            : null;
        return new MeanScores(Value("dice"), Value("precision"), Value("sensitivity"), Value("specificity"), Value("hd95"), lesionWise);
    }

    public override void Write(Utf8JsonWriter writer, MeanScores value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        Number(writer, "dice", value.Dice);
        Number(writer, "precision", value.Precision);
        Number(writer, "sensitivity", value.Sensitivity);
        Number(writer, "specificity", value.Specificity);
        Number(writer, "hd95", value.Hd95);
        if (value.LesionWise is { } lesions)
        {
            Number(writer, "lesion_dice", lesions.Dice);
            Number(writer, "lesion_hd95", lesions.Hd95);
        }

        writer.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
