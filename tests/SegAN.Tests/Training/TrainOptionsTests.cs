using SegAN.Models;
using SegAN.Training;

namespace SegAN.Tests.Training;

public sealed class TrainOptionsTests
{
    [Fact]
    public void Defaults_AreThePapersNetworks_WithTheAuthorsCodesOptimiser()
    {
        var o = new TrainOptions("run");

        Assert.Equal(Variant.S3_3C, o.Variant);
        Assert.Equal(2e-4, o.LearningRate);
        Assert.Equal(16, o.BatchSize);
        Assert.Equal(OptimizerKind.Adam, o.Optimizer);
        Assert.Equal(0.05, o.Clip);
        Assert.Equal(4, o.Depth);
        Assert.Equal(3, o.CriticDepth);
        Assert.Equal(64, o.BaseWidth);
    }

    [Fact]
    public void WithPaperOptimisation_IsRmsPropAt2e5WithBatch64_AndKeepsTheRest()
    {
        var o = new TrainOptions("run", Variant.UNet, Steps: 7, BaseWidth: 8).WithPaperOptimisation();

        Assert.Equal((OptimizerKind.RmsProp, 2e-5, 64), (o.Optimizer, o.LearningRate, o.BatchSize));
        Assert.Equal((Variant.UNet, 7L, 8), (o.Variant, o.Steps, o.BaseWidth));
    }

    [Theory]
    [InlineData(0L, 640L, 100L)]
    [InlineData(5L, 0L, 5L)]
    public void ResolveSteps_UsesStepsOrEpochs(long steps, long slices, long expected)
    {
        // Steps win when given; else 10 epochs of 640 slices at batch 64 = 6400 / 64 = 100 steps
        var o = steps > 0 ? new TrainOptions("run", Steps: steps) : new TrainOptions("run", Epochs: 10, BatchSize: 64);

        Assert.Equal(expected, o.Validated().ResolveSteps(slices));
    }

    [Fact]
    public void ResolveSteps_RoundsPartialEpochsUp()
    {
        Assert.Equal(15, new TrainOptions("run", Epochs: 1.5, BatchSize: 64).ResolveSteps(640));
    }

    [Theory]
    [InlineData(LearningRateSchedule.Constant, 0, 1.0)]
    [InlineData(LearningRateSchedule.Constant, 99, 1.0)]
    [InlineData(LearningRateSchedule.Cosine, 0, 1.0)]
    [InlineData(LearningRateSchedule.Cosine, 50, 0.5)]
    [InlineData(LearningRateSchedule.Step, 49, 1.0)]
    [InlineData(LearningRateSchedule.Step, 50, 0.1)]
    [InlineData(LearningRateSchedule.Step, 75, 0.01)]
    public void LearningRateAt_FollowsTheSchedule(LearningRateSchedule schedule, long step, double factor)
    {
        var o = new TrainOptions("run", LearningRate: 1e-3, LrSchedule: schedule);

        Assert.Equal(1e-3 * factor, o.LearningRateAt(step, 100), 12);
    }

    [Theory]
    [InlineData(Setting.BatchSize, "batch size 0 must be at least 1")]
    [InlineData(Setting.LearningRate, "learning rate NaN must be a positive number")]
    [InlineData(Setting.Clip, "critic clip 0 must be a positive number")]
    [InlineData(Setting.DiceWeight, "Dice weight -1 must be zero or positive")]
    [InlineData(Setting.Steps, "steps 0 must be at least 1")]
    public void Validated_NamesTheBadSettingAndItsValue(Setting setting, string message)
    {
        var o = setting switch
        {
            Setting.BatchSize => new TrainOptions("run", BatchSize: 0),
            Setting.LearningRate => new TrainOptions("run", LearningRate: double.NaN),
            Setting.Clip => new TrainOptions("run", Clip: 0),
            Setting.DiceWeight => new TrainOptions("run", DiceWeight: -1),
            _ => new TrainOptions("run", Steps: 0),
        };

        var e = Assert.Throws<SegANException>(() => o.Validated());
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Equal([setting], e.Settings);
    }

    [Fact]
    public void Validated_RejectsStepsAndEpochsTogether()
    {
        Assert.Throws<SegANException>(() => new TrainOptions("run", Steps: 1, Epochs: 1).Validated());
    }

    [Theory]
    [InlineData("s1-1c", Variant.S1_1C)]
    [InlineData("S3-1C", Variant.S3_1C)]
    [InlineData("s3-3c", Variant.S3_3C)]
    [InlineData("s3-3c-s0", Variant.S3_3C_S0)]
    [InlineData("s3-3c-s3", Variant.S3_3C_S3)]
    [InlineData("unet", Variant.UNet)]
    public void ParseVariant_ReadsTheCliNames(string text, Variant expected)
    {
        Assert.Equal(expected, VariantExtensions.ParseVariant(text));
        Assert.Equal(text.ToLowerInvariant(), expected.CliName());
    }

    [Fact]
    public void ParseVariant_ListsTheValidNames()
    {
        var e = Assert.Throws<SegANException>(() => VariantExtensions.ParseVariant("s2"));

        Assert.Contains("s3-3c-s0", e.Message, StringComparison.Ordinal);
    }
}
