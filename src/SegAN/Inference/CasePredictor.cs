using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Inference;

/// <summary>One case segmented: its label map and, when asked for, one probability map per region, in the input's geometry.</summary>
public sealed record CaseSegmentation(string Name, Volume Labels, IReadOnlyList<Volume>? Probabilities)
{
    /// <summary>Warnings from reading the case (non-finite voxels counted as background), each naming its file.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Segments whole cases the way the model was trained: the same preprocessing, then the prepared grid segmented
/// slice by slice (<see cref="PreparedCaseSegmenter"/>: the whole slice, padded to the network's size multiple, by
/// default; or the paper's centred crop), restored into the input's full geometry and turned from regions (WT, TC,
/// ET) back into the dataset's label convention.
/// </summary>
public sealed class CasePredictor
{
    private readonly InferenceRecipe _recipe;
    private readonly PredictOptions _options;
    private readonly ISegmentationEngine _engine;
    private readonly PreparedCaseSegmenter _segmenter;

    /// <summary>A predictor running <paramref name="engine"/> with the model's <paramref name="recipe"/>; refuses a slice size the network cannot take.</summary>
    public CasePredictor(ISegmentationEngine engine, InferenceRecipe recipe, PredictOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(recipe);
        _engine = engine;
        _recipe = recipe;
        _segmenter = new PreparedCaseSegmenter(engine, options, recipe.SliceSize);
        _options = _segmenter.Options;
    }

    /// <summary>The label convention of the maps this predictor writes.</summary>
    public LabelConvention Labels => _recipe.Labels;

    /// <summary>Reads, checks and segments one case (its segmentation file, if any, is ignored).</summary>
    public CaseSegmentation Segment(CaseFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _engine.Model.Header.EnsureModalities(files.Modalities, _engine.Model.Path);
        var volumes = CaseLoader.Load(files with { SegFile = null });
        return Segment(volumes) with { Warnings = volumes.Warnings };
    }

    /// <summary>Segments one case already in memory (its label map, if any, is ignored).</summary>
    public CaseSegmentation Segment(CaseVolumes input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var unlabelled = input.Segmentation is null ? input : new CaseVolumes(input.Files with { SegFile = null }, input.Modalities, null);
        var prepared = Preprocessor.Prepare(unlabelled, _recipe.Preprocess, _recipe.Labels);
        var grid = _segmenter.RegionProbabilities(prepared);
        return ToCaseSegmentation(prepared, grid);
    }

    /// <summary>Region probabilities on the prepared grid, (Z, 3, H, W): see <see cref="PreparedCaseSegmenter.RegionProbabilities"/>.</summary>
    public float[] RegionProbabilities(PreparedCase prepared) => _segmenter.RegionProbabilities(prepared);

    private CaseSegmentation ToCaseSegmentation(PreparedCase prepared, float[] grid)
    {
        var labels = prepared.RestoreLabels(_segmenter.Regions(grid, prepared));
        List<Volume>? probabilities = null;
        if (_options.Probabilities)
        {
            var plane = prepared.SliceSize;
            var depth = prepared.Depth;
            probabilities = [];
            var map = new float[depth * plane];
            for (var r = 0; r < SliceBatch.RegionCount; r++)
            {
                for (var z = 0; z < depth; z++)
                {
                    Array.Copy(grid, ((z * SliceBatch.RegionCount) + r) * plane, map, z * plane, plane);
                }

                probabilities.Add(prepared.Restore(map));
            }
        }

        return new CaseSegmentation(prepared.Name, labels, probabilities);
    }
}
