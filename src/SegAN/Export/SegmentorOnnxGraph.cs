using SegAN.Export.Onnx;
using SegAN.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegAN.Export;

/// <summary>
/// Writes a <see cref="RegionSegmentor"/> as an ONNX graph with the same arithmetic as its eval-mode forward:
/// image (N, C, H, W) -> regions (N, 3, H, W), WT, TC, ET probabilities. Each down block is Conv (4x4, stride 2,
/// pad 1) + LeakyRelu 0.2, each up block Resize (linear, half_pixel: bilinear without corner alignment) + Conv
/// (3x3, pad 1) + Relu, with the encoder map of the same size concatenated after the decoder's; batch norms are
/// folded into the convolutions before them. Weights are read by the modules' checkpoint names
/// (<c>seg.{i}.down.{level}.conv</c>, <c>...bn</c>, <c>seg.{i}.up.{j}.conv</c>, ...).
/// </summary>
internal static class SegmentorOnnxGraph
{
    private const string InputName = OnnxMetadataKeys.ImageInput;
    private const string OutputName = OnnxMetadataKeys.RegionsOutput;

    private static readonly string[] RegionNames = OnnxMetadataKeys.RegionOrder.Split(',');

    private const string Scales = "resize_scales_x2";

    /// <summary>
    /// Builds the graph. <paramref name="height"/> and <paramref name="width"/> fix the spatial size of the input,
    /// or leave it dynamic when null; the batch axis is always dynamic.
    /// </summary>
    public static GraphProto Build(RegionSegmentor model, int? height, int? width)
    {
        var architecture = model.Architecture;
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        var builder = new OnnxGraphBuilder($"segan_{architecture.Variant.CliName()}");
        builder.Initializer(Scales, [1f, 1f, 2f, 2f], 4);

        var variant = architecture.Variant;
        var count = variant.SegmentorCount();
        var logits = new string[count];
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < count; s++)
        {
            logits[s] = EmitSegmentor(builder, modules, used, $"seg.{s}", count > 1 ? $"seg{s}_" : string.Empty, architecture.Depth);
        }

        // A module this writer does not know would be silently left out of the graph; refuse instead.
        var unknown = modules.Where(m => m.Value is Conv2d or BatchNorm2d && !used.Contains(m.Key)).Select(m => m.Key).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"The ONNX writer does not know the segmentor's modules {string.Join(", ", unknown)}.");
        }

        if (variant == Variant.S1_1C)
        {
            var maps = logits.Select((l, s) => builder.Node("Sigmoid", $"seg{s}_{RegionNames[s]}", [l])).ToArray();
            builder.Node("Concat", OutputName, maps, OnnxGraphBuilder.Int("axis", 1));
        }
        else if (variant == Variant.UNet)
        {
            var classes = builder.Node("Softmax", "class_probabilities", [logits[0]], OnnxGraphBuilder.Int("axis", 1));

            // Nested regions as a fixed 1x1 convolution over the four class maps: WT = p1+p2+p3, TC = p2+p3, ET = p3.
            float[] sums =
            [
                0, 1, 1, 1,
                0, 0, 1, 1,
                0, 0, 0, 1,
            ];
            var w = builder.Initializer("regions_from_classes", sums, 3, RegionSegmentor.UNetClasses, 1, 1);
            builder.Node("Conv", OutputName, [classes, w], OnnxGraphBuilder.Ints("kernel_shape", 1, 1));
        }
        else
        {
            builder.Node("Sigmoid", OutputName, [logits[0]]);
        }

        long?[] spatial = [height, width];
        builder.Graph.Input.Add(OnnxGraphBuilder.FloatValue(InputName, [null, architecture.InChannels, .. spatial], ["batch", "channels", "height", "width"]));
        builder.Graph.Output.Add(OnnxGraphBuilder.FloatValue(OutputName, [null, RegionNames.Length, .. spatial], ["batch", "regions", "height", "width"]));
        return builder.Graph;
    }

    private static string EmitSegmentor(OnnxGraphBuilder builder, Dictionary<string, nn.Module> modules, HashSet<string> used, string key, string prefix, int depth)
    {
        var skips = new string[depth];
        var x = InputName;
        for (var level = 0; level < depth; level++)
        {
            var block = $"{key}.down.{level}";
            var conv = Conv(builder, Folded(modules, used, block), x, $"{prefix}down{level}", stride: 2, pad: 1);
            x = builder.Node("LeakyRelu", $"{prefix}down{level}_act", [conv], OnnxGraphBuilder.Float("alpha", (float)Models.Blocks.DownBlock.LeakySlope));
            skips[level] = x;
        }

        for (var j = 0; j < depth; j++)
        {
            var block = $"{key}.up.{j}";
            if (j > 0)
            {
                x = builder.Node("Concat", $"{prefix}up{j}_in", [x, skips[depth - 1 - j]], OnnxGraphBuilder.Int("axis", 1));
            }

            var resized = builder.Node(
                "Resize",
                $"{prefix}up{j}_resize",
                [x, string.Empty, Scales],
                OnnxGraphBuilder.String("mode", "linear"),
                OnnxGraphBuilder.String("coordinate_transformation_mode", "half_pixel"));
            var conv = Conv(builder, Folded(modules, used, block), resized, $"{prefix}up{j}", stride: 1, pad: 1);
            x = j == depth - 1 ? conv : builder.Node("Relu", $"{prefix}up{j}_act", [conv]);
        }

        return x;
    }

    private static string Conv(OnnxGraphBuilder builder, FoldedConv conv, string input, string name, int stride, int pad)
    {
        var w = builder.Initializer($"{name}.weight", conv.Weight, conv.OutChannels, conv.InChannels, conv.Kernel, conv.Kernel);
        var b = builder.Initializer($"{name}.bias", conv.Bias, conv.OutChannels);
        return builder.Node(
            "Conv",
            name,
            [input, w, b],
            OnnxGraphBuilder.Ints("kernel_shape", conv.Kernel, conv.Kernel),
            OnnxGraphBuilder.Ints("strides", stride, stride),
            OnnxGraphBuilder.Ints("pads", pad, pad, pad, pad));
    }

    /// <summary>The convolution of <paramref name="block"/> with its batch norm, if any, folded in.</summary>
    private static FoldedConv Folded(Dictionary<string, nn.Module> modules, HashSet<string> used, string block)
    {
        if (!modules.TryGetValue($"{block}.conv", out var module) || module is not Conv2d conv)
        {
            throw new InvalidOperationException($"The segmentor has no convolution {block}.conv.");
        }

        used.Add($"{block}.conv");
        used.Add($"{block}.bn");

        var shape = conv.weight!.shape;
        BatchNormParameters? norm = null;
        if (modules.TryGetValue($"{block}.bn", out var bnModule) && bnModule is BatchNorm2d bn)
        {
            norm = new BatchNormParameters(Values(bn.weight!), Values(bn.bias!), Values(bn.running_mean!), Values(bn.running_var!), bn.eps);
        }

        return FoldedConv.Fold(
            Values(conv.weight!),
            conv.bias is null ? null : Values(conv.bias),
            (int)shape[0],
            (int)shape[1],
            (int)shape[2],
            norm);
    }

    private static float[] Values(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }
}
