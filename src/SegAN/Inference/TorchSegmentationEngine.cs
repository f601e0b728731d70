using SegAN.Compute;
using SegAN.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Inference;

/// <summary>
/// Runs a <see cref="RegionSegmentor"/> with TorchSharp: eval mode (batch norms use their running statistics)
/// under <c>torch.inference_mode</c>, on the device the caller chose, with images stored channels last (faster in
/// libtorch, see bench/README.md) and optionally in bfloat16.
/// </summary>
public sealed class TorchSegmentationEngine : ISegmentationEngine
{
    private readonly RegionSegmentor _model;
    private readonly Device _device;
    private readonly bool _ownsModel;
    // A bool, not a ScalarType: a TorchSharp value-type field would make loading this type load TorchSharp, which the
    // ONNX-only path (EngineFactory.Open with a .onnx file) must never do.
    private readonly bool _bfloat16;

    /// <param name="model">The segmentor; moved to <paramref name="device"/> and switched to eval mode.</param>
    /// <param name="info">Its metadata (modalities, preprocessing, labels).</param>
    /// <param name="device">Where to compute.</param>
    /// <param name="ownsModel">Dispose the model with the engine.</param>
    /// <param name="bfloat16">
    /// Convert the weights and each batch to bfloat16 (the output stays float32): about twice the matrix-product rate
    /// on CPUs with AVX512-BF16 (<see cref="Compute.CpuFeatures.HasAvx512Bf16"/>), at the cost of about three
    /// significant digits in the probabilities. The model's weights are converted in place.
    /// </param>
    public TorchSegmentationEngine(RegionSegmentor model, SegmentationModelInfo info, Device device, bool ownsModel = true, bool bfloat16 = false)
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
        _bfloat16 = bfloat16;
        _model.to(device);
        if (bfloat16)
        {
            _model.to(ScalarType.BFloat16);
        }

        _model.eval();
        Model = info;
    }

    /// <inheritdoc/>
    public string Name => "torch";

    /// <summary>True when the engine computes in bfloat16.</summary>
    public bool BFloat16 => _bfloat16;

    /// <inheritdoc/>
    public SegmentationModelInfo Model { get; }

    /// <inheritdoc/>
    public float[] PredictRegions(float[] images, int n, int c, int h, int w)
    {
        Model.CheckInput(images, n, c, h, w);
        using var noGc = NoGcRegion.Enter();
        using var scope = torch.NewDisposeScope();
        using var mode = torch.inference_mode();
        // NHWC storage behind the NCHW view: libtorch then keeps channels last through the network.
        var x = torch.tensor(images, [n, c, h, w]).to(_device).to(_bfloat16 ? ScalarType.BFloat16 : ScalarType.Float32).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        return _model.forward(x).to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }
}
