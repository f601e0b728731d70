using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SegAN.Models.Blocks;

/// <summary>
/// The paper's down-sampling block (Fig. 1): 4x4 convolution, stride 2, padding 1, then batch normalisation
/// (except in the first block of each network) and LeakyReLU with slope 0.2. (N, Cin, H, W) -> (N, Cout, H/2, W/2).
/// </summary>
public sealed class DownBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Negative slope of the LeakyReLU, as in the paper's figure.</summary>
    public const double LeakySlope = 0.2;

    // The convolution has no bias when batch norm follows: the norm's shift makes it redundant.
    [ComponentName(Name = "conv")] private readonly Conv2d _conv;
    [ComponentName(Name = "bn")] private readonly BatchNorm2d? _bn;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="outChannels"/> maps, with batch norm unless <paramref name="batchNorm"/> is false.</summary>
    public DownBlock(long inChannels, long outChannels, bool batchNorm)
        : base(nameof(DownBlock))
    {
        _conv = nn.Conv2d(inChannels, outChannels, kernel_size: 4, stride: 2, padding: 1, bias: !batchNorm);
        _bn = batchNorm ? nn.BatchNorm2d(outChannels) : null;
        RegisterComponents();
    }

    /// <summary>(N, Cin, H, W) -> (N, Cout, H/2, W/2).</summary>
    public override Tensor forward(Tensor input)
    {
        var y = _conv.forward(input);
        if (_bn is not null)
        {
            y = _bn.forward(y);
        }

        // In place: the convolution and the norm keep their inputs for backward, not their outputs.
        return nn.functional.leaky_relu(y, LeakySlope, inplace: true);
    }
}
