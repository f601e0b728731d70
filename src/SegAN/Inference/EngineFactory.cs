using System.Runtime.CompilerServices;
using SegAN.Compute;
using SegAN.Export;
using SegAN.Persistence;

namespace SegAN.Inference;

/// <summary>Which inference engine runs a model (<c>--engine</c>).</summary>
public enum EngineKind
{
    /// <summary>ONNX Runtime for a <c>.onnx</c> file, TorchSharp for a <c>model.segan</c>.</summary>
    Auto,

    /// <summary>TorchSharp (libtorch), CPU or CUDA; needs a <c>model.segan</c>.</summary>
    Torch,

    /// <summary>ONNX Runtime on the CPU; a <c>model.segan</c> is exported in memory first.</summary>
    Onnx,
}

/// <summary>Opens a saved model with the engine the user asked for.</summary>
public static class EngineFactory
{
    /// <summary>Parses <c>auto</c>, <c>torch</c> or <c>onnx</c> (case-insensitive).</summary>
    public static EngineKind ParseEngine(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => EngineKind.Auto,
        "torch" => EngineKind.Torch,
        "onnx" => EngineKind.Onnx,
        _ => throw new SegANException($"engine '{text}' is not one of auto, torch, onnx."),
    };

    /// <summary>
    /// Opens <paramref name="modelPath"/> (<c>model.segan</c> or <c>.onnx</c>) with <paramref name="engine"/> on
    /// <paramref name="device"/> with <paramref name="threads"/> CPU threads (0: one per core). The ONNX engine runs
    /// on the CPU only and, for a .onnx file, never starts libtorch. Errors are <see cref="SegANException"/>s
    /// naming the file or the option. <paramref name="bfloat16"/> (torch engine only) computes in bfloat16, which
    /// on the CPU needs AVX512-BF16 to be faster than float32.
    /// </summary>
    public static ISegmentationEngine Open(string modelPath, EngineKind engine, DeviceSpec device, int threads, bool bfloat16 = false)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(device);
        var onnxFile = SegmentationModelInfo.IsOnnxPath(modelPath);
        var kind = engine == EngineKind.Auto ? (onnxFile ? EngineKind.Onnx : EngineKind.Torch) : engine;
        if (kind == EngineKind.Torch)
        {
            if (onnxFile)
            {
                throw new SegANException(Setting.Engine, $"{modelPath}: an ONNX model runs on the onnx engine only; choose the onnx (or auto) engine, or the model.segan it was exported from.");
            }

            return OpenTorch(modelPath, device, threads, bfloat16);
        }

        if (bfloat16)
        {
            throw new SegANException(Setting.Engine, "bfloat16 inference runs on the torch engine only; choose the torch engine with a model.segan.");
        }

        if (device.Kind == DeviceKind.Cuda)
        {
            throw new SegANException([Setting.Device, Setting.Engine], $"device {device}: the onnx engine of this build runs on the CPU only; choose the cpu device, or the torch engine with a model.segan for CUDA.");
        }

        return onnxFile ? OnnxSegmentationEngine.Open(modelPath, threads) : OpenOnnxFromSegan(modelPath, threads);
    }

    // Kept out of Open so that the JIT resolves TorchSharp only when a TorchSharp path is taken.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TorchSegmentationEngine OpenTorch(string modelPath, DeviceSpec device, int threads, bool bfloat16)
    {
        if (bfloat16 && device.Kind == DeviceKind.Cpu && !CpuFeatures.HasAvx512Bf16)
        {
            throw new SegANException($"bfloat16 inference: this CPU ({CpuFeatures.ModelName}) lacks AVX512-BF16, so bfloat16 would be slower than float32; leave it off.");
        }

        var torchDevice = ComputeContext.Initialize(device, threads);
        var loaded = ModelFile.Load(modelPath, torchDevice);
        try
        {
            return new TorchSegmentationEngine(loaded.Segmentor, new SegmentationModelInfo(modelPath, ModelFileKind.Segan, loaded.Header), torchDevice, bfloat16: bfloat16);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OnnxSegmentationEngine OpenOnnxFromSegan(string modelPath, int threads)
    {
        using var loaded = ModelFile.Load(modelPath, TorchSharp.torch.CPU);
        var bytes = OnnxExporter.ToBytes(loaded.Segmentor, loaded.Header, new OnnxExportOptions());
        return OnnxSegmentationEngine.FromBytes(bytes, modelPath, threads);
    }
}
