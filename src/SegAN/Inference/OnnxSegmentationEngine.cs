using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SegAN.Export;

namespace SegAN.Inference;

/// <summary>
/// Runs an exported SegAN.NET model with ONNX Runtime on the CPU. It never calls into TorchSharp, so prediction
/// from a .onnx file works where libtorch is absent or cannot load.
/// </summary>
public sealed class OnnxSegmentationEngine : ISegmentationEngine
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames = [OnnxMetadataKeys.ImageInput];
    private readonly string[] _outputNames = [OnnxMetadataKeys.RegionsOutput];
    private readonly int[] _inputDims;

    private OnnxSegmentationEngine(InferenceSession session, SegmentationModelInfo model)
    {
        _session = session;
        Model = model;
        _inputDims = session.InputMetadata[OnnxMetadataKeys.ImageInput].Dimensions;
    }

    /// <inheritdoc/>
    public string Name => "onnx";

    /// <inheritdoc/>
    public SegmentationModelInfo Model { get; }

    /// <summary>
    /// Opens <paramref name="path"/>; <paramref name="threads"/> is ONNX Runtime's intra-op thread count (0: its
    /// default, one per core). Throws a <see cref="SegANException"/> naming the file when it is missing, not an
    /// ONNX model, not a SegAN.NET export, or its input and output do not match its metadata.
    /// </summary>
    public static OnnxSegmentationEngine Open(string path, int threads = 0)
    {
        if (!File.Exists(path))
        {
            throw new SegANException($"{path}: no such model file.");
        }

        return Create(path, threads, options => new InferenceSession(path, options));
    }

    /// <summary>Runs an ONNX model held in memory; <paramref name="name"/> names it in errors.</summary>
    public static OnnxSegmentationEngine FromBytes(byte[] model, string name, int threads = 0) =>
        Create(name, threads, options => new InferenceSession(model, options));

    /// <inheritdoc/>
    public float[] PredictRegions(float[] images, int n, int c, int h, int w)
    {
        Model.CheckInput(images, n, c, h, w);
        if ((_inputDims[2] > 0 && _inputDims[2] != h) || (_inputDims[3] > 0 && _inputDims[3] != w))
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{Model.Path}: this export takes {_inputDims[2]}x{_inputDims[3]} slices only, got {h}x{w}; export without a fixed size for others."));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(images, [n, c, h, w]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, [input], _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static OnnxSegmentationEngine Create(string path, int threads, Func<SessionOptions, InferenceSession> open)
    {
        if (threads < 0)
        {
            throw new SegANException(Setting.Threads, $"thread count {threads} must be 0 (all cores) or a positive number.");
        }

        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        InferenceSession session;
        try
        {
            session = open(options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SegANException($"{path}: ONNX Runtime cannot load the model: {FirstLine(e.Message)}", e);
        }

        try
        {
            var model = SegmentationModelInfo.FromOnnxMetadata(path, session.ModelMetadata.CustomMetadataMap);
            CheckSignature(path, session, model);
            return new OnnxSegmentationEngine(session, model);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The graph must take image (N, C, H, W) float with C = the modalities and give regions (N, 3, H, W).</summary>
    private static void CheckSignature(string path, InferenceSession session, SegmentationModelInfo model)
    {
        if (!session.InputMetadata.TryGetValue(OnnxMetadataKeys.ImageInput, out var input) || session.InputMetadata.Count != 1)
        {
            throw new SegANException(
                $"{path}: the model's inputs are [{string.Join(", ", session.InputMetadata.Keys)}], expected one named {OnnxMetadataKeys.ImageInput}.");
        }

        if (!session.OutputMetadata.TryGetValue(OnnxMetadataKeys.RegionsOutput, out var output))
        {
            throw new SegANException(
                $"{path}: the model's outputs are [{string.Join(", ", session.OutputMetadata.Keys)}], expected one named {OnnxMetadataKeys.RegionsOutput}.");
        }

        var inDims = input.Dimensions;
        var outDims = output.Dimensions;
        if (input.ElementType != typeof(float) || inDims.Length != 4 || inDims[1] != model.InChannels)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: input {OnnxMetadataKeys.ImageInput} is {input.ElementType.Name} [{string.Join(", ", inDims)}], expected float (N, {model.InChannels}, H, W) for modalities {string.Join(", ", model.Modalities)}."));
        }

        if (output.ElementType != typeof(float) || outDims.Length != 4 || outDims[1] != 3)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: output {OnnxMetadataKeys.RegionsOutput} is {output.ElementType.Name} [{string.Join(", ", outDims)}], expected float (N, 3, H, W)."));
        }
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}
