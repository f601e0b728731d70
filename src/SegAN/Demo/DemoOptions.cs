using SegAN.Models;

namespace SegAN.Demo;

/// <summary>
/// Options of <c>segan demo</c>: a small phantom dataset, a small SegAN and a short training run, sized to finish
/// within 10 minutes on two CPU cores (see the README for the Dice it reaches).
/// </summary>
/// <param name="Out">Folder for everything the demo writes (data, run, predictions, report).</param>
/// <param name="TrainCases">Phantom cases to train on (10% of them validate). Default 12.</param>
/// <param name="TestCases">Held-out phantom cases to segment and evaluate. Default 4.</param>
/// <param name="Size">Phantom side in voxels (1 mm). Default 64.</param>
/// <param name="Steps">Training steps. Default 600.</param>
/// <param name="Variant">Network variant. Default S3-3C.</param>
/// <param name="Seed">Seed of the phantoms, split, weights and batches. Default 1.</param>
/// <param name="Difficulty">
/// Easy phantoms (cubes of <paramref name="Size"/>, the default) or realistic ones (skull-stripped BraTS-like brains of
/// <paramref name="Size"/> x <paramref name="Size"/> x 155/240 of it, scaled down from life size).
/// </param>
public sealed record DemoOptions(
    string Out,
    int TrainCases = 12,
    int TestCases = 4,
    int Size = 64,
    long Steps = 600,
    Variant Variant = Variant.S3_3C,
    int Seed = 1,
    Data.PhantomDifficulty Difficulty = Data.PhantomDifficulty.Easy)
{
    /// <summary>The phantoms' shape: a cube, or for realistic phantoms BraTS's proportions (240 x 240 x 155) at <see cref="Size"/>.</summary>
    public Data.PhantomShape Shape => Difficulty == Data.PhantomDifficulty.Realistic
        ? new(Size, Size, Math.Max(32, (int)Math.Round(Size * 155.0 / 240)))
        : Data.PhantomShape.Cube(Size);

    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public DemoOptions Validate()
    {
        if (TrainCases < 2 || TestCases < 1)
        {
            throw new SegANException($"the demo needs at least 2 training cases and 1 test case (got {TrainCases} and {TestCases})");
        }

        if (Size is < 48 or > 160 || Size % 16 != 0)
        {
            throw new SegANException(Setting.PhantomSize, $"phantom size {Size}: the demo's phantoms must be a multiple of 16 between 48 and 160 voxels");
        }

        if (Steps < 1)
        {
            throw new SegANException(Setting.Steps, $"steps {Steps} must be at least 1");
        }

        return this;
    }
}
