using SegAN.Compute;
using SegAN.Inference;

namespace SegAN.Server;

/// <summary>
/// A model loaded once at start and shared by every request: its engine and two predictors on it, one sending BraTS
/// 2023 labels (for Slicer), one the model's own convention (for the viewer page, as <c>segan predict</c> writes).
/// </summary>
internal sealed class ServedSegmentor : IDisposable
{
    private readonly ISegmentationEngine _engine;

    private ServedSegmentor(ServedModel model, SegmentationModelInfo info, ISegmentationEngine engine, CasePredictor predictor, CasePredictor ownLabels)
    {
        Model = model;
        Info = info;
        _engine = engine;
        Predictor = predictor;
        OwnLabelsPredictor = ownLabels;
    }

    public ServedModel Model { get; }

    public SegmentationModelInfo Info { get; }

    /// <summary>The model's modalities in channel order (the names its case files must carry).</summary>
    public IReadOnlyList<string> Modalities => Info.Modalities;

    /// <summary>Segments into BraTS 2023 labels (<see cref="SlicerLabels"/>).</summary>
    public CasePredictor Predictor { get; }

    /// <summary>Segments into the model's own label convention, exactly as <c>segan predict</c> with its defaults.</summary>
    public CasePredictor OwnLabelsPredictor { get; }

    public string EngineName => _engine.Name;

    /// <summary>Opens <paramref name="model"/> with the engine its file selects (onnx for .onnx, torch otherwise).</summary>
    public static ServedSegmentor Open(ServedModel model, DeviceSpec device, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        var info = SegmentationModelInfo.Read(model.Path);
        var recipe = InferenceRecipe.From(info.Header, model.Path);
        var engine = EngineFactory.Open(model.Path, EngineKind.Auto, device, threads);
        try
        {
            return new ServedSegmentor(
                model,
                info,
                engine,
                new CasePredictor(engine, recipe with { Labels = SlicerLabels.Convention }, new PredictOptions()),
                new CasePredictor(engine, recipe, new PredictOptions()));
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    public void Dispose() => _engine.Dispose();
}
