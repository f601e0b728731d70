using System.Text.Json;
using System.Text.Json.Serialization;
using SegAN.Data;
using SegAN.Persistence;

namespace SegAN.Inference;

/// <summary>
/// How a model wants its input prepared and its output labelled: the preprocessing it was trained with, the
/// side of the centred slice crops it sees (the paper: 160 of 180) and the label convention of its dataset.
/// Training stores it in the model header (<see cref="ModelHeader.Preprocessing"/>, <see cref="ModelHeader.LabelConvention"/>)
/// so that prediction repeats it exactly.
/// </summary>
public sealed record InferenceRecipe(PreprocessOptions Preprocess, int SliceSize, LabelConvention Labels)
{
    /// <summary>The header's <c>preprocessing</c> JSON for this recipe.</summary>
    public JsonElement ToPreprocessingJson() =>
        JsonSerializer.SerializeToElement(new Stored(Preprocess.LowerPercentile, Preprocess.UpperPercentile, Preprocess.CropX, Preprocess.CropY, Preprocess.CropZ, SliceSize), JsonDefaults.Compact);

    /// <summary>
    /// Reads the recipe of a model header; <paramref name="path"/> names the model in errors. A header without
    /// preprocessing (an older or foreign writer) gets the paper's settings.
    /// </summary>
    public static InferenceRecipe From(ModelHeader header, string path)
    {
        ArgumentNullException.ThrowIfNull(header);
        var labels = LabelNames.ParseConvention(header.LabelConvention);
        if (header.Preprocessing is not { ValueKind: JsonValueKind.Object } element)
        {
            return new InferenceRecipe(PreprocessOptions.Paper, SliceCrop.PaperSize, labels);
        }

        Stored stored;
        try
        {
            stored = element.Deserialize<Stored>(JsonDefaults.Compact) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new SegANException($"{path}: the model's preprocessing parameters are unreadable ({e.Message})", e);
        }

        var options = new PreprocessOptions(stored.LowerPercentile, stored.UpperPercentile, stored.CropX, stored.CropY, stored.CropZ);
        try
        {
            options.Validate();
        }
        catch (SegANException e)
        {
            throw new SegANException($"{path}: {e.Message}", e);
        }

        if (stored.SliceSize < 1 || stored.SliceSize > Math.Min(stored.CropX, stored.CropY))
        {
            throw new SegANException($"{path}: slice size {stored.SliceSize} must be between 1 and the crop size {Math.Min(stored.CropX, stored.CropY)}");
        }

        return new InferenceRecipe(options, stored.SliceSize, labels);
    }

    private sealed record Stored(
        [property: JsonPropertyName("lower_percentile")] double LowerPercentile,
        [property: JsonPropertyName("upper_percentile")] double UpperPercentile,
        [property: JsonPropertyName("crop_x")] int CropX,
        [property: JsonPropertyName("crop_y")] int CropY,
        [property: JsonPropertyName("crop_z")] int CropZ,
        [property: JsonPropertyName("slice_size")] int SliceSize);
}
