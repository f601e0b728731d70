using SegAN.Compute;
using SegAN.Inference;

namespace SegAN.Server;

/// <summary>A model loaded once at start and shared by every request: its engine and predictor, sending BraTS 2023 labels.</summary>
internal sealed class ServedSegmentor : IDisposable
{
    private readonly ISegmentationEngine _engine;

    private ServedSegmentor(ServedModel model, SegmentationModelInfo info, ISegmentationEngine engine, CasePredictor predictor)
    {
        Model = model;
        Info = info;
        _engine = engine;
        Predictor = predictor;
    }

    public ServedModel Model { get; }

    public SegmentationModelInfo Info { get; }

    /// <summary>The model's modalities in channel order (the names its case files must carry).</summary>
    public IReadOnlyList<string> Modalities => Info.Modalities;

    public CasePredictor Predictor { get; }

    public string EngineName => _engine.Name;

    /// <summary>Opens <paramref name="model"/> with the engine its file selects (onnx for .onnx, torch otherwise).</summary>
    public static ServedSegmentor Open(ServedModel model, DeviceSpec device, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        var info = SegmentationModelInfo.Read(model.Path);
        var recipe = InferenceRecipe.From(info.Header, model.Path) with { Labels = SlicerLabels.Convention };
        var engine = EngineFactory.Open(model.Path, EngineKind.Auto, device, threads);
        try
        {
            return new ServedSegmentor(model, info, engine, new CasePredictor(engine, recipe, new PredictOptions()));
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    public void Dispose() => _engine.Dispose();
}
