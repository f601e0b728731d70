using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SegAN.Models.Blocks;

/// <summary>
/// The paper's up-sampling block (Fig. 1): bilinear resize by 2, 3x3 convolution with stride 1, then batch
/// normalisation and ReLU; the segmentor's output block stops after the convolution (which then has a bias).
/// (N, Cin, H, W) -> (N, Cout, 2H, 2W).
/// </summary>
public sealed class UpBlock : nn.Module<Tensor, Tensor>
{
    private static readonly double[] ScaleTwo = [2.0, 2.0];

    [ComponentName(Name = "conv")] private readonly Conv2d _conv;
    [ComponentName(Name = "bn")] private readonly BatchNorm2d? _bn;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="outChannels"/> maps; the segmentor's last (<paramref name="output"/>) stops after a biased convolution.</summary>
    public UpBlock(long inChannels, long outChannels, bool output)
        : base(nameof(UpBlock))
    {
        _conv = nn.Conv2d(inChannels, outChannels, kernel_size: 3, stride: 1, padding: 1, bias: output);
        _bn = output ? null : nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    /// <summary>(N, Cin, H, W) -> (N, Cout, 2H, 2W).</summary>
    public override Tensor forward(Tensor input)
    {
        var up = nn.functional.interpolate(input, scale_factor: ScaleTwo, mode: InterpolationMode.Bilinear, align_corners: false);
        var y = _conv.forward(up);
        if (_bn is null)
        {
            return y;
        }

        return nn.functional.relu(_bn.forward(y), inplace: true);
    }
}
