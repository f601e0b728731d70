using SegAN.Data;

namespace SegAN.Inference;

/// <summary>Options of <c>segan predict</c> that shape each case's segmentation.</summary>
/// <param name="BatchSize">Slices per forward pass. Default 16.</param>
/// <param name="FlipTta">Test-time augmentation: also segment the left-right mirrored slices and average. Default off.</param>
/// <param name="LargestComponent">Keep only the largest connected component of each region. Default off.</param>
/// <param name="Probabilities">Also write one float32 probability map per region (<c>CASE_prob_WT.nii.gz</c> ...). Default off.</param>
/// <param name="SkipExisting">Skip cases whose <c>CASE_seg.nii.gz</c> already exists (writes are atomic, so it is complete). Default off.</param>
/// <param name="Threshold">A voxel belongs to a region when its probability is above this. Default 0.5.</param>
/// <param name="Window">
/// What the network sees of each prepared slice: the whole slice, zero-padded to the network's size multiple
/// (default), or the paper's centred crop of the model's slice size.
/// </param>
/// <param name="NnUNetNaming">Name label maps <c>CASE.nii.gz</c>, as nnU-Net's predictions, instead of <c>CASE_seg.nii.gz</c>. Default off.</param>
public sealed record PredictOptions(
    int BatchSize = 16,
    bool FlipTta = false,
    bool LargestComponent = false,
    bool Probabilities = false,
    bool SkipExisting = false,
    double Threshold = 0.5,
    SliceWindow Window = SliceWindow.Whole,
    bool NnUNetNaming = false)
{
    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public PredictOptions Validate()
    {
        if (BatchSize < 1)
        {
            throw new SegANException(Setting.BatchSize, $"batch size {BatchSize} must be at least 1");
        }

        if (!(Threshold > 0 && Threshold < 1))
        {
            throw new SegANException(Setting.Threshold, $"threshold {Threshold} must lie strictly between 0 and 1");
        }

        if (!Enum.IsDefined(Window))
        {
            throw new SegANException(Setting.Window, $"window {Window} must be whole or centre");
        }

        return this;
    }
}
