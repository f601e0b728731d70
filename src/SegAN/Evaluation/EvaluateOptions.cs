using SegAN.Data;

namespace SegAN.Evaluation;

/// <summary>
/// What <see cref="FolderEvaluator"/> compares: predicted label maps in <paramref name="Predictions"/>
/// (<c>CASE_seg.nii.gz</c> or <c>CASE.nii.gz</c>) against the truths under <paramref name="Truth"/> (a BraTS
/// dataset folder or a flat folder of label files), both read with the <paramref name="Labels"/> convention
/// (default BraTS 2021: ET = 4), scoring up to <paramref name="Parallelism"/> cases at once (default 2), and adding
/// the BraTS 2023-2024 lesion-wise scores with the parameters of the <paramref name="LesionWise"/> challenge when it
/// is set (default: none).
/// </summary>
public sealed record EvaluateOptions(
    DirectoryInfo Predictions,
    DirectoryInfo Truth,
    LabelConvention Labels = LabelConvention.Brats2021,
    int Parallelism = 2,
    BratsChallenge? LesionWise = null)
{
    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Predictions);
        ArgumentNullException.ThrowIfNull(Truth);
        if (!Predictions.Exists)
        {
            throw new SegANException($"{Predictions.FullName}: prediction folder not found");
        }

        if (!Truth.Exists)
        {
            throw new SegANException($"{Truth.FullName}: truth folder not found");
        }

        if (!Enum.IsDefined(Labels))
        {
            throw new SegANException($"label convention {(int)Labels} is not one of {LabelNames.AllNames}");
        }

        if (LesionWise is { } challenge && !Enum.IsDefined(challenge))
        {
            throw new SegANException($"BraTS challenge {(int)challenge} is not one of gli, ssa, men, ped, met");
        }

        if (Parallelism < 1)
        {
            throw new SegANException(Setting.Parallelism, $"parallel cases {Parallelism} must be at least 1");
        }
    }
}
