using System.Globalization;
using System.Text.Json.Serialization;
using SegAN.Losses;
using SegAN.Models;

namespace SegAN.Training;

/// <summary>Which optimiser updates the segmentor and the critics.</summary>
public enum OptimizerKind
{
    /// <summary>RMSProp (alpha 0.99, eps 1e-8), as in the paper.</summary>
    RmsProp,

    /// <summary>Adam with beta1 0.5, beta2 0.999 (the usual GAN setting).</summary>
    Adam,
}

/// <summary>How the learning rate changes over the run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout, as in the paper.</summary>
    Constant,

    /// <summary>Cosine annealing from the rate to zero over the run.</summary>
    Cosine,

    /// <summary>Multiplied by 0.1 at 50% and again at 75% of the steps.</summary>
    Step,
}

/// <summary>
/// Options of <c>segan train</c> (the run, not the data), saved verbatim as <c>options.json</c> in the run folder.
/// Defaults are chosen to learn within a user's first hours (see README, "Training defaults"): Adam at 2e-4 with
/// beta1 0.5 and batch 16, as the authors' released code, with the paper's networks (S3-3C, segmentor depth 4,
/// width 64, critic depth 3) and WGAN's weight clipping (0.05, as in the authors' code). The paper's own schedule,
/// RMSProp at 2e-5 with batch 64, is <see cref="WithPaperOptimisation"/>. <see cref="Data"/> only records where the data came from.
/// </summary>
public sealed record TrainOptions(
    [property: JsonPropertyName("out")] string Out,
    [property: JsonPropertyName("variant")] Variant Variant = Variant.S3_3C,
    [property: JsonPropertyName("steps")] long? Steps = null,
    [property: JsonPropertyName("epochs")] double? Epochs = null,
    [property: JsonPropertyName("batch_size")] int BatchSize = TrainOptions.DefaultBatchSize,
    [property: JsonPropertyName("learning_rate")] double LearningRate = TrainOptions.DefaultLearningRate,
    [property: JsonPropertyName("optimizer")] OptimizerKind Optimizer = OptimizerKind.Adam,
    [property: JsonPropertyName("lr_schedule")] LearningRateSchedule LrSchedule = LearningRateSchedule.Constant,
    [property: JsonPropertyName("clip")] double Clip = 0.05,
    [property: JsonPropertyName("dice_weight")] double DiceWeight = TrainOptions.DefaultDiceWeight,
    [property: JsonPropertyName("val_every")] int ValEvery = 500,
    [property: JsonPropertyName("log_every")] int LogEvery = 10,
    [property: JsonPropertyName("seed")] int Seed = 0,
    [property: JsonPropertyName("resume")] bool Resume = false,
    [property: JsonPropertyName("depth")] int Depth = 4,
    [property: JsonPropertyName("base_width")] int BaseWidth = 64,
    [property: JsonPropertyName("critic_depth")] int CriticDepth = 3,
    [property: JsonPropertyName("data")] string? Data = null,
    [property: JsonPropertyName("dice_mode")] DiceReduction DiceMode = TrainOptions.DefaultDiceMode)
{
    /// <summary>Default reduction of the Dice term over the regions.</summary>
    public const DiceReduction DefaultDiceMode = DiceReduction.Pooled;

    /// <summary>Default slices per batch: 16 (the paper: 64).</summary>
    public const int DefaultBatchSize = 16;

    /// <summary>Default learning rate: 2e-4 with Adam, as the authors' released code (the paper: 2e-5 with RMSProp).</summary>
    public const double DefaultLearningRate = 2e-4;

    /// <summary>The paper's optimisation (Sec. 3): RMSProp at 2e-5, batch 64; everything else as this run.</summary>
    public TrainOptions WithPaperOptimisation() => this with { Optimizer = OptimizerKind.RmsProp, LearningRate = 2e-5, BatchSize = 64 };

    /// <summary>Steps when neither <see cref="Steps"/> nor <see cref="Epochs"/> is given.</summary>
    public const long DefaultSteps = 10_000;

    /// <summary>
    /// Default weight of the soft Dice term added to the segmentor's loss: 1, as in the authors' released code, chosen
    /// by measurement. On 32x32 two-channel phantoms (S3-3C, depth 3, width 8, batch 8, RMSProp 2e-4, 150 steps, seed 3)
    /// the mean validation Dice (WT/TC/ET) was 0.61 with weight 0 (ET still 0.00 at step 100, 0.14 at 150), 0.79
    /// with 0.5, 0.79 with 1 and 0.77 with 3: the multi-scale L1 loss alone gives the small enhancing region little
    /// signal early on. At the paper's 2e-5 both 0 and 1 were still near 0.3 after 150 steps.
    /// </summary>
    public const double DefaultDiceWeight = 1.0;

    /// <summary>Throws a <see cref="SegANException"/> naming the first bad option; returns this.</summary>
    public TrainOptions Validated()
    {
        static SegANException Bad(Setting setting, FormattableString message) => new(setting, message.ToString(CultureInfo.InvariantCulture));

        if (string.IsNullOrWhiteSpace(Out))
        {
            throw new SegANException(Setting.Output, "the run folder must be named.");
        }

        if (Steps is not null && Epochs is not null)
        {
            throw new SegANException([Setting.Steps, Setting.Epochs], "give steps or epochs, not both.");
        }

        if (Steps is < 1)
        {
            throw Bad(Setting.Steps, $"steps {Steps} must be at least 1.");
        }

        if (Epochs is not null && !(Epochs > 0 && double.IsFinite(Epochs.Value)))
        {
            throw Bad(Setting.Epochs, $"epochs {Epochs} must be a positive number.");
        }

        if (BatchSize < 1)
        {
            throw Bad(Setting.BatchSize, $"batch size {BatchSize} must be at least 1.");
        }

        if (!(LearningRate > 0 && double.IsFinite(LearningRate)))
        {
            throw Bad(Setting.LearningRate, $"learning rate {LearningRate} must be a positive number.");
        }

        if (!(Clip > 0 && double.IsFinite(Clip)))
        {
            throw Bad(Setting.Clip, $"critic clip {Clip} must be a positive number.");
        }

        if (!(DiceWeight >= 0 && double.IsFinite(DiceWeight)))
        {
            throw Bad(Setting.DiceWeight, $"Dice weight {DiceWeight} must be zero or positive.");
        }

        if (ValEvery < 1)
        {
            throw Bad(Setting.ValidationInterval, $"validation interval {ValEvery} must be at least 1.");
        }

        if (LogEvery < 1)
        {
            throw Bad(Setting.LogInterval, $"log interval {LogEvery} must be at least 1.");
        }

        if (!Enum.IsDefined(Variant) || !Enum.IsDefined(Optimizer) || !Enum.IsDefined(LrSchedule) || !Enum.IsDefined(DiceMode))
        {
            throw new SegANException("Unknown variant, optimizer or learning-rate schedule.");
        }

        return this;
    }

    /// <summary>Total steps: <see cref="Steps"/>, or <see cref="Epochs"/> passes over <paramref name="slicesPerEpoch"/> slices, or the default.</summary>
    public long ResolveSteps(long slicesPerEpoch)
    {
        if (Steps is { } steps)
        {
            return steps;
        }

        if (Epochs is { } epochs)
        {
            if (slicesPerEpoch < 1)
            {
                throw new SegANException(Setting.Epochs, "training for epochs needs a training set with at least one slice.");
            }

            return Math.Max(1, (long)Math.Ceiling(epochs * slicesPerEpoch / BatchSize));
        }

        return DefaultSteps;
    }

    /// <summary>The learning rate for 0-based <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public double LearningRateAt(long step, long totalSteps) => LrSchedule switch
    {
        LearningRateSchedule.Cosine => LearningRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, totalSteps) / Math.Max(1, totalSteps))),
        LearningRateSchedule.Step => LearningRate * (step >= 3 * totalSteps / 4 ? 0.01 : step >= totalSteps / 2 ? 0.1 : 1.0),
        _ => LearningRate,
    };
}
