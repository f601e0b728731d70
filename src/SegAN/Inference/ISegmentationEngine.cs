namespace SegAN.Inference;

/// <summary>
/// Something that turns a batch of preprocessed slices into region probabilities: the TorchSharp segmentor or an
/// ONNX Runtime session. Both take the same input and give the same output, so prediction code is engine-agnostic.
/// </summary>
public interface ISegmentationEngine : IDisposable
{
    /// <summary>Engine name as the command line spells it: <c>torch</c> or <c>onnx</c>.</summary>
    string Name { get; }

    /// <summary>What the model needs and promises: modalities, preprocessing, labels, size multiple.</summary>
    SegmentationModelInfo Model { get; }

    /// <summary>
    /// (n, c, h, w) row-major images -> (n, 3, h, w) row-major WT, TC, ET probabilities in [0, 1]. <paramref name="c"/>
    /// must equal the model's input channels and <paramref name="h"/>, <paramref name="w"/> be positive multiples of
    /// <see cref="SegmentationModelInfo.SizeMultiple"/>.
    /// </summary>
    float[] PredictRegions(float[] images, int n, int c, int h, int w);
}
