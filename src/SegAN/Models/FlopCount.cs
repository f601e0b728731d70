using SegAN.Training;

namespace SegAN.Models;

/// <summary>One convolution of a network at a given input size: its shape and output grid.</summary>
/// <param name="Name">Where it sits, e.g. <c>segmentor.down.0</c>.</param>
/// <param name="InChannels">Input maps.</param>
/// <param name="OutChannels">Output maps.</param>
/// <param name="Kernel">Kernel side (4 for down blocks, 3 for up blocks).</param>
/// <param name="OutHeight">Output rows.</param>
/// <param name="OutWidth">Output columns.</param>
public sealed record ConvolutionShape(string Name, int InChannels, int OutChannels, int Kernel, int OutHeight, int OutWidth)
{
    /// <summary>Floating-point operations of the forward pass: 2 (multiply and add) x Cin x Cout x k^2 x H_out x W_out.</summary>
    public double ForwardFlops => 2.0 * InChannels * OutChannels * Kernel * Kernel * OutHeight * OutWidth;
}

/// <summary>
/// Floating-point operations per slice of the SegAN networks, counted from their convolution shapes (batch norms,
/// activations, resizing and losses are a few percent and left out). A convolution's backward pass costs its forward
/// once for the weight gradient and once for the input gradient, and each is counted only where the trainer needs
/// it: the ceiling a benchmark compares measured speed against.
/// </summary>
public static class FlopCount
{
    /// <summary>The convolutions of one segmentor (see <see cref="Segmentor"/>) on an <paramref name="height"/> x <paramref name="width"/> slice.</summary>
    public static IReadOnlyList<ConvolutionShape> Segmentor(SegANArchitecture architecture, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        architecture.ValidateInputSize(height, width);
        int depth = architecture.Depth, width0 = architecture.BaseWidth;
        var layers = new List<ConvolutionShape>();
        for (var level = 0; level < depth; level++)
        {
            var cin = level == 0 ? architecture.InChannels : width0 << (level - 1);
            layers.Add(new ConvolutionShape($"segmentor.down.{level}", cin, width0 << level, 4, height >> (level + 1), width >> (level + 1)));
        }

        // Up block j takes level depth-1-j (concatenated with its skip from j = 1 on) to level depth-2-j, at twice the size.
        for (var j = 0; j < depth; j++)
        {
            var level = depth - 1 - j;
            var cin = j == 0 ? width0 << level : 2 * (width0 << level);
            var cout = j == depth - 1 ? architecture.Variant.SegmentorOutputs() : width0 << (level - 1);
            layers.Add(new ConvolutionShape($"segmentor.up.{j}", cin, cout, 3, height >> level, width >> level));
        }

        return layers;
    }

    /// <summary>The convolutions of one critic (see <see cref="Critic"/>); empty for variants without critics.</summary>
    public static IReadOnlyList<ConvolutionShape> Critic(SegANArchitecture architecture, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        architecture.ValidateInputSize(height, width);
        var layers = new List<ConvolutionShape>();
        if (architecture.Variant.CriticCount() == 0)
        {
            return layers;
        }

        for (var level = 0; level < architecture.CriticDepth; level++)
        {
            var cin = level == 0 ? architecture.Variant.CriticInputChannels(architecture.InChannels) : architecture.BaseWidth << (level - 1);
            layers.Add(new ConvolutionShape($"critic.down.{level}", cin, architecture.BaseWidth << level, 4, height >> (level + 1), width >> (level + 1)));
        }

        return layers;
    }

    /// <summary>Forward FLOPs of predicting one slice: every segmentor once.</summary>
    public static double InferencePerSlice(SegANArchitecture architecture, int height, int width) =>
        architecture.Variant.SegmentorCount() * Sum(Segmentor(architecture, height, width));

    /// <summary>
    /// FLOPs of one training slice as <see cref="AdversarialTrainer"/> computes it. Segmentor: forward once (shared
    /// by both steps), backward with weight gradients everywhere and input gradients below the first layer (3F - F0).
    /// Each critic: critic step = forward of the predicted and true masked images, weight gradients of both, input
    /// gradients above the first layer (6F - 2F0); segmentor step = forward of both (the true one without gradient),
    /// input gradients through the predicted one only, no weight gradients (3F). U-Net: the segmentor alone.
    /// </summary>
    public static double TrainingPerSlice(SegANArchitecture architecture, int height, int width)
    {
        var segmentor = Segmentor(architecture, height, width);
        var critic = Critic(architecture, height, width);
        var perSegmentor = (3 * Sum(segmentor)) - segmentor[0].ForwardFlops;
        var perCritic = critic.Count == 0 ? 0 : (9 * Sum(critic)) - (2 * critic[0].ForwardFlops);
        return (architecture.Variant.SegmentorCount() * perSegmentor) + (architecture.Variant.CriticCount() * perCritic);
    }

    private static double Sum(IReadOnlyList<ConvolutionShape> layers) => layers.Sum(l => l.ForwardFlops);
}
