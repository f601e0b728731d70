using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SegAN.Models;

/// <summary>
/// The segmentor(s) of a <see cref="SegANArchitecture"/> behind one contract: images (N, C, H, W) -> region
/// probabilities (N, 3, H, W) for WT, TC, ET. S1-1C runs three one-map segmentors with a sigmoid each; the other
/// SegAN variants one three-map segmentor with a sigmoid; U-Net one four-class softmax segmentor (background,
/// WT-TC, TC-ET, ET) whose region probabilities are cumulative sums (WT = p1+p2+p3, TC = p2+p3, ET = p3).
/// </summary>
public sealed class RegionSegmentor : nn.Module<Tensor, Tensor>
{
    /// <summary>Softmax classes of the U-Net variant.</summary>
    public const int UNetClasses = 4;

    [ComponentName(Name = "seg")] private readonly ModuleList<Segmentor> _segmentors;

    /// <summary>Builds the segmentor(s) <paramref name="architecture"/> describes.</summary>
    public RegionSegmentor(SegANArchitecture architecture)
        : base(nameof(RegionSegmentor))
    {
        Architecture = architecture.Validated();
        var variant = architecture.Variant;
        _segmentors = new ModuleList<Segmentor>();
        for (var i = 0; i < variant.SegmentorCount(); i++)
        {
            _segmentors.Add(new Segmentor(architecture.InChannels, variant.SegmentorOutputs(), architecture.Depth, architecture.BaseWidth));
        }

        RegisterComponents();
    }

    /// <summary>The architecture this module was built from.</summary>
    public SegANArchitecture Architecture { get; }

    /// <summary>(N, C, H, W) images -> (N, 3, H, W) region probabilities in [0, 1] (WT, TC, ET).</summary>
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        return Architecture.Variant switch
        {
            Variant.S1_1C => torch.cat([.. _segmentors.Select(s => torch.sigmoid(s.forward(input)))], 1),
            Variant.UNet => RegionsFromClassLogits(_segmentors[0].forward(input)),
            _ => torch.sigmoid(_segmentors[0].forward(input)),
        };
    }

    /// <summary>U-Net only: (N, C, H, W) images -> (N, 4, H, W) class logits for the cross-entropy loss.</summary>
    public Tensor ClassLogits(Tensor input)
    {
        if (Architecture.Variant != Variant.UNet)
        {
            throw new InvalidOperationException($"Class logits exist only for the U-Net variant, not {Architecture.Variant.CliName()}.");
        }

        CheckInput(input);
        return _segmentors[0].forward(input);
    }

    /// <summary>
    /// (N, 4, H, W) class logits -> (N, 3, H, W) nested region probabilities: softmax, then WT = p1+p2+p3,
    /// TC = p2+p3, ET = p3 (a reversed cumulative sum over classes 1..3).
    /// </summary>
    public static Tensor RegionsFromClassLogits(Tensor logits)
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.softmax(logits, 1).narrow(1, 1, UNetClasses - 1);
        return p.flip(1).cumsum(1).flip(1).MoveToOuterDisposeScope();
    }

    private void CheckInput(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != Architecture.InChannels)
        {
            throw new SegANException(
                $"The segmentor expects (N, {Architecture.InChannels}, H, W) images (one channel per modality), got ({string.Join(", ", input.shape)}).");
        }

        Architecture.ValidateInputSize(input.shape[2], input.shape[3]);
    }
}
