using SegAN.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SegAN.Models;

/// <summary>
/// The SegAN critic C (paper Sec. 2.2, Fig. 1): <c>depth</c> 4x4 stride-2 blocks (three in the paper) with base,
/// 2 base, 4 base maps, LeakyReLU 0.2 and batch norm after the first. It returns the hierarchical features used by
/// the multi-scale L1 loss, scale 0 being the masked input itself.
/// </summary>
public sealed class Critic : nn.Module<Tensor, Tensor[]>
{
    [ComponentName(Name = "down")] private readonly ModuleList<DownBlock> _down;

    /// <param name="inChannels">Channels of the masked input.</param>
    /// <param name="depth">Number of down blocks (scales beyond the input).</param>
    /// <param name="baseWidth">Maps of the first block; doubled at each block.</param>
    public Critic(int inChannels, int depth = 3, int baseWidth = 64)
        : base(nameof(Critic))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseWidth, 1);
        _down = new ModuleList<DownBlock>();
        for (var level = 0; level < depth; level++)
        {
            _down.Add(new DownBlock(level == 0 ? inChannels : baseWidth << (level - 1), baseWidth << level, batchNorm: level > 0));
        }

        RegisterComponents();
    }

    /// <summary>Number of scales returned by <see cref="forward"/>: the input plus one per block.</summary>
    public int Scales => _down.Count + 1;

    /// <summary>
    /// (N, C, H, W) masked images -> [scale 0: the input (an alias), scale i: (N, base 2^(i-1), H/2^i, W/2^i)].
    /// </summary>
    public override Tensor[] forward(Tensor input)
    {
        var features = new Tensor[_down.Count + 1];
        features[0] = input.alias();
        var x = input;
        for (var i = 0; i < _down.Count; i++)
        {
            x = _down[i].forward(x);
            features[i + 1] = x;
        }

        return features;
    }

    /// <summary>Clamps every weight (convolutions and norms) to [-clip, clip], as after each critic update in WGAN and SegAN.</summary>
    public void ClampWeights(double clip)
    {
        using var noGrad = torch.no_grad();
        foreach (var p in parameters())
        {
            // In place; the returned tensor is the parameter itself, so it must not be disposed.
            p.clamp_(-clip, clip);
        }
    }
}
