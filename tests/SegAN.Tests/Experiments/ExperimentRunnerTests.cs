using SegAN.Compute;
using SegAN.Data;
using SegAN.Experiments;
using SegAN.Training;

namespace SegAN.Tests.Experiments;

public sealed class ExperimentRunnerTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-experiment-runner-");

    public void Dispose() => _root.Delete(recursive: true);

    private ExperimentOptions Tiny(string data, IReadOnlyList<Variant> variants, long steps = 4) => new(
        new DirectoryInfo(data),
        Path.Combine(_root.FullName, "exp"),
        DatasetPresets.Layout(DatasetPreset.Brats2021),
        variants,
        Seeds: 1,
        Steps: steps,
        BatchSize: 2,
        LearningRate: 1e-3,
        Optimizer: OptimizerKind.Adam,
        Depth: 2,
        BaseWidth: 4,
        SliceSize: 32,
        Preprocess: PreprocessOptions.Paper with { CropX = 40, CropY = 40, CropZ = 32 },
        ValEvery: 2);

    [Fact]
    public void Run_Interrupted_ResumesTheRunFromItsCheckpoint_AndFinishes()
    {
        // Given a phantom dataset and an experiment cancelled after its first training step
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 4, new PhantomOptions(48, 6));
        var options = Tiny(data, [Variant.S3_1C]);
        using var cancellation = new CancellationTokenSource();
        var stopAfterFirstStep = new Progress(p => cancellation.Cancel());
        var first = ExperimentRunner.Run(options, DeviceSpec.Cpu, training: stopAfterFirstStep, cancellation: cancellation.Token);

        // Then it reports the run pending, with a checkpoint short of the budget and no evaluation, and still writes the report
        Assert.True(first.Interrupted);
        Assert.Equal(RunState.Pending, Assert.Single(first.Runs).State);
        var folder = ExperimentRunner.RunFolder(options.Out, Variant.S3_1C, 0);
        var checkpoint = Path.Combine(folder, "train", Checkpoint.FileName);
        Assert.InRange(Checkpoint.ReadState(checkpoint).Step, 1, 3);
        Assert.False(Directory.Exists(Path.Combine(folder, "evaluation")));
        Assert.Contains("Runs finished: 0 of 1", File.ReadAllText(first.ReportMarkdown), StringComparison.Ordinal);

        // When the same experiment runs again
        var lines = new List<string>();
        var second = ExperimentRunner.Run(options, DeviceSpec.Cpu, new Progress<string>(lines.Add));

        // Then the run resumes from its checkpoint, trains to the budget and is evaluated on the held-out case
        Assert.False(second.Interrupted);
        Assert.True(second.Complete);
        Assert.Equal(RunState.Evaluated, second.Runs[0].State);
        Assert.Equal(4, Checkpoint.ReadState(checkpoint).Step);
        Assert.Contains("resuming at step", File.ReadAllText(Path.Combine(folder, "train", Trainer.LogFileName)), StringComparison.Ordinal);
        Assert.Single(second.Split.Test);
        Assert.All(second.Runs[0].Scores!, s => Assert.InRange(s.Dice, 0, 1));
    }

    [Fact]
    public void SplitCases_HoldsOutTheSameTestCases_WhateverTheOrder()
    {
        // Given ten cases in two orders
        var cases = Enumerable.Range(0, 10).Select(i => new CaseFiles($"C{i}", null, $"/d/C{i}", ["T1"], [$"/d/C{i}/C{i}_t1.nii.gz"], $"/d/C{i}/C{i}_seg.nii.gz")).ToList();
        var reversed = Enumerable.Reverse(cases).ToList();

        // When splitting with a 0.2 test fraction
        var a = ExperimentRunner.SplitCases(cases, 3, 0.2);
        var b = ExperimentRunner.SplitCases(reversed, 3, 0.2);

        // Then two cases are held out, the same ones both times, and never in the training pool
        Assert.Equal(2, a.Test.Count);
        Assert.Equal(8, a.Train.Count);
        Assert.Equal(a.Test.Select(c => c.Name), b.Test.Select(c => c.Name));
        Assert.Empty(a.Test.Select(c => c.Name).Intersect(a.Train.Select(c => c.Name)));
    }

    [Theory]
    [InlineData(new[] { 1.0, 3.0 }, 2.0, 1.4142135623730951)] // sample std: sqrt(((1-2)^2 + (3-2)^2) / 1)
    [InlineData(new[] { 0.5, 0.5, 0.5 }, 0.5, 0.0)]
    public void SeedStatistic_IsTheMeanAndSampleStandardDeviation(double[] values, double mean, double std)
    {
        var s = SeedStatistic.Of(values);
        Assert.Equal(mean, s.Mean, 12);
        Assert.Equal(std, s.Std, 12);
    }

    [Fact]
    public void SeedStatistic_HasNoDeviation_WithOneSeed()
    {
        var s = SeedStatistic.Of([0.7]);
        Assert.Equal(0.7, s.Mean);
        Assert.True(double.IsNaN(s.Std));
    }

    [Fact]
    public void Validate_RejectsATestFractionOfZero_AndARepeatedVariant()
    {
        // Given a dataset folder
        var data = Path.Combine(_root.FullName, "data");
        Directory.CreateDirectory(data);

        // Then a zero test fraction and a variant named twice are refused, naming the option
        var zero = Assert.Throws<SegANException>(() => (Tiny(data, [Variant.UNet]) with { TestFraction = 0 }).Validate());
        Assert.Contains("--test-fraction", zero.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<SegANException>(() => Tiny(data, [Variant.UNet, Variant.UNet]).Validate());
        Assert.Contains("--variants", twice.Message, StringComparison.Ordinal);
    }

    private sealed class Progress(Action<TrainProgress> report) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => report(value);
    }

    private sealed class Progress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
