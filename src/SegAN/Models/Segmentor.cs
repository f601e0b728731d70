using SegAN.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SegAN.Models;

/// <summary>
/// The SegAN segmentor S (paper Sec. 2.2, Fig. 1): a fully convolutional encoder-decoder with U-Net skips.
/// Encoder: <c>depth</c> 4x4 stride-2 blocks with base, 2 base, 4 base, ... maps (64..512 for the paper's depth 4),
/// LeakyReLU 0.2, batch norm on all but the first. Decoder: bilinear resize x2 + 3x3 convolution, batch norm and
/// ReLU, each output concatenated with the encoder map of the same size; the last block maps to
/// <c>outputs</c> raw scores (logits) at full resolution. Activation (sigmoid or softmax) is the caller's choice,
/// see <see cref="RegionSegmentor"/>.
/// </summary>
public sealed class Segmentor : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "down")] private readonly ModuleList<DownBlock> _down;
    [ComponentName(Name = "up")] private readonly ModuleList<UpBlock> _up;

    /// <param name="inChannels">Input channels: the number of modalities.</param>
    /// <param name="outputs">Output maps (logits) per pixel.</param>
    /// <param name="depth">Number of down blocks (and of up blocks).</param>
    /// <param name="baseWidth">Maps of the first down block; doubled at each level.</param>
    public Segmentor(int inChannels, int outputs, int depth = 4, int baseWidth = 64)
        : base(nameof(Segmentor))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseWidth, 1);
        Depth = depth;
        _down = new ModuleList<DownBlock>();
        for (var level = 0; level < depth; level++)
        {
            _down.Add(new DownBlock(level == 0 ? inChannels : baseWidth << (level - 1), baseWidth << level, batchNorm: level > 0));
        }

        // Up block j brings level depth-1-j back to level depth-2-j; from the second one on, its input is the
        // previous output concatenated with the encoder map of the same size (twice the maps).
        _up = new ModuleList<UpBlock>();
        for (var j = 0; j < depth; j++)
        {
            var level = depth - 1 - j;
            var input = j == 0 ? baseWidth << level : 2 * (baseWidth << level);
            var last = j == depth - 1;
            _up.Add(new UpBlock(input, last ? outputs : baseWidth << (level - 1), output: last));
        }

        RegisterComponents();
    }

    /// <summary>Number of down (and up) blocks; H and W must be divisible by 2^Depth.</summary>
    public int Depth { get; }

    /// <summary>(N, C, H, W) images -> (N, outputs, H, W) logits.</summary>
    public override Tensor forward(Tensor input)
    {
        var skips = new Tensor[Depth];
        var x = input;
        for (var level = 0; level < Depth; level++)
        {
            x = _down[level].forward(x);
            skips[level] = x;
        }

        x = _up[0].forward(x);
        for (var j = 1; j < Depth; j++)
        {
            x = _up[j].forward(torch.cat([x, skips[Depth - 1 - j]], 1));
        }

        return x;
    }
}
