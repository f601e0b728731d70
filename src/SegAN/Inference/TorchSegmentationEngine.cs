using SegAN.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Inference;

/// <summary>
/// Runs a <see cref="RegionSegmentor"/> with TorchSharp: eval mode (batch norms use their running statistics)
/// under <c>torch.inference_mode</c>, on the device the caller chose.
/// </summary>
public sealed class TorchSegmentationEngine : ISegmentationEngine
{
    private readonly RegionSegmentor _model;
    private readonly Device _device;
    private readonly bool _ownsModel;

    /// <param name="model">The segmentor; moved to <paramref name="device"/> and switched to eval mode.</param>
    /// <param name="info">Its metadata (modalities, preprocessing, labels).</param>
    /// <param name="device">Where to compute.</param>
    /// <param name="ownsModel">Dispose the model with the engine.</param>
    public TorchSegmentationEngine(RegionSegmentor model, SegmentationModelInfo info, Device device, bool ownsModel = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(info);
        if (info.InChannels != model.Architecture.InChannels)
        {
            throw new SegANException($"{info.Path}: metadata lists {info.InChannels} modalities, the network takes {model.Architecture.InChannels}.");
        }

        _model = model;
        _device = device;
        _ownsModel = ownsModel;
        _model.to(device);
        _model.eval();
        Model = info;
    }

    public string Name => "torch";

    public SegmentationModelInfo Model { get; }

    public float[] PredictRegions(float[] images, int n, int c, int h, int w)
    {
        Model.CheckInput(images, n, c, h, w);
        using var scope = torch.NewDisposeScope();
        using var mode = torch.inference_mode();
        var x = torch.tensor(images, [n, c, h, w]).to(_device);
        return _model.forward(x).cpu().contiguous().data<float>().ToArray();
    }

    public void Dispose()
    {
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }
}
