using SegAN.Compute;
using SegAN.Data;
using SegAN.Distributed;
using SegAN.Experiments;
using SegAN.Models;
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
    public void RunTask_TwoTasks_TrainOnlyTheirRuns_AndReportMergesThemAsOneProcessWould()
    {
        // Given a phantom dataset, two variants with one seed each, and the same experiment run whole in another folder
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 4, new PhantomOptions(48, 6));
        var options = Tiny(data, [Variant.UNet, Variant.S3_1C]);
        var whole = ExperimentRunner.Run(options with { Out = Path.Combine(_root.FullName, "whole") }, DeviceSpec.Cpu);
        Assert.True(whole.Complete);

        // When array task 1 of 2 runs first
        var second = ExperimentRunner.RunTask(options, new ShardSpec(1, 2), DeviceSpec.Cpu);

        // Then it trained only the plan's second run (S3-1C seed 0), wrote no report, and recorded its system
        var run = Assert.Single(second.Runs);
        Assert.Equal((Variant.S3_1C, 0, RunState.Evaluated), (run.Variant, run.Seed, run.State));
        Assert.False(Directory.Exists(ExperimentRunner.RunFolder(options.Out, Variant.UNet, 0)));
        Assert.False(File.Exists(Path.Combine(options.Out, ExperimentReport.MarkdownFileName)));
        Assert.True(File.Exists(Path.Combine(run.Folder, ExperimentRunner.SystemFileName)));

        // And a merge now reports one finished run and the other not started, without training it
        var partial = ExperimentRunner.Report(options);
        Assert.False(partial.Complete);
        Assert.Equal([RunState.Pending, RunState.Reused], partial.Runs.Select(r => r.State));
        Assert.Equal("not started", partial.Runs[0].Message);
        Assert.Contains("Runs finished: 1 of 2 (incomplete: let the remaining tasks finish", File.ReadAllText(partial.ReportMarkdown), StringComparison.Ordinal);
        Assert.False(Directory.Exists(ExperimentRunner.RunFolder(options.Out, Variant.UNet, 0)));

        // When task 0 of 2 runs and the report is merged again
        var first = ExperimentRunner.RunTask(options, new ShardSpec(0, 2), DeviceSpec.Cpu);
        Assert.Equal(Variant.UNet, Assert.Single(first.Runs).Variant);
        var merged = ExperimentRunner.Report(options);

        // Then it is complete, every score equals the one-process experiment's, and the versions come from the runs
        Assert.True(merged.Complete);
        Assert.Equal(
            whole.Runs.SelectMany(r => r.Scores!).Select(s => (s.Region, s.Dice, s.Precision, s.Sensitivity)),
            merged.Runs.SelectMany(r => r.Scores!).Select(s => (s.Region, s.Dice, s.Precision, s.Sensitivity)));
        var markdown = File.ReadAllText(merged.ReportMarkdown);
        Assert.Contains("Runs finished: 2 of 2.", markdown, StringComparison.Ordinal);
        Assert.Contains("Versions: SegAN.NET", markdown, StringComparison.Ordinal);
        Assert.Contains("merged from the run folders by `--report`", markdown, StringComparison.Ordinal);
        Assert.Contains("## Paired by seed, against unet", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void RunTask_RunLockedByAnotherProcess_IsLeftAlone_AndReportedRunning()
    {
        // Given a run whose lock another holder has
        var data = Path.Combine(_root.FullName, "data");
        PhantomGenerator.WriteDataset(new DirectoryInfo(data), 4, new PhantomOptions(48, 6));
        var options = Tiny(data, [Variant.S3_1C]);
        var folder = ExperimentRunner.RunFolder(options.Out, Variant.S3_1C, 0);
        Directory.CreateDirectory(folder);
        using (var held = RunLock.TryAcquire(folder))
        {
            Assert.NotNull(held);

            // When its task runs, and when the report is merged
            var task = ExperimentRunner.RunTask(options, new ShardSpec(0, 1), DeviceSpec.Cpu);
            var report = ExperimentRunner.Report(options);

            // Then the task trained nothing and says the run is running elsewhere; so does the report
            Assert.Equal(RunState.Running, Assert.Single(task.Runs).State);
            Assert.False(Directory.Exists(Path.Combine(folder, "train")));
            Assert.Equal(RunState.Running, Assert.Single(report.Runs).State);
            Assert.Contains("running: in progress in another process", File.ReadAllText(report.ReportMarkdown), StringComparison.Ordinal);
        }

        // When the holder lets go, the same task trains and evaluates the run
        var again = ExperimentRunner.RunTask(options, new ShardSpec(0, 1), DeviceSpec.Cpu);
        Assert.Equal(RunState.Evaluated, Assert.Single(again.Runs).State);
    }

    [Fact]
    public void ResolveTask_FromTheOptionOrTheSchedulersIndex()
    {
        static string? None(string name) => null;
        var slurm = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "4", ["SLURM_ARRAY_TASK_COUNT"] = "6" };
        var kubernetes = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1" };

        // --task K alone: run K of the plan; with --tasks N: task K of N
        Assert.Equal(new ShardSpec(3, 6), ExperimentRunner.ResolveTask(3, null, 6, None));
        Assert.Equal(new ShardSpec(1, 2), ExperimentRunner.ResolveTask(1, 2, 6, None));

        // Slurm's array variables, Kubernetes' index with --tasks, and nothing at all (the whole experiment)
        Assert.Equal(new ShardSpec(4, 6), ExperimentRunner.ResolveTask(null, null, 6, n => slurm.GetValueOrDefault(n)));
        Assert.Equal(new ShardSpec(1, 3), ExperimentRunner.ResolveTask(null, 3, 6, n => kubernetes.GetValueOrDefault(n)));
        Assert.Null(ExperimentRunner.ResolveTask(null, null, 6, None));

        // A task beyond the plan is refused, naming the range
        var beyond = Assert.Throws<SegANException>(() => ExperimentRunner.ResolveTask(6, null, 6, None));
        Assert.Contains("0 to 5", beyond.Message, StringComparison.Ordinal);
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

        // Then a zero test fraction and a variant named twice are refused, naming the setting and its value
        var zero = Assert.Throws<SegANException>(() => (Tiny(data, [Variant.UNet]) with { TestFraction = 0 }).Validate());
        Assert.StartsWith("test fraction 0 must be in (0, 1)", zero.Message, StringComparison.Ordinal);
        Assert.Equal([Setting.TestFraction], zero.Settings);
        var twice = Assert.Throws<SegANException>(() => Tiny(data, [Variant.UNet, Variant.UNet]).Validate());
        Assert.StartsWith("variants unet,unet names a variant twice", twice.Message, StringComparison.Ordinal);
        Assert.Equal([Setting.Variants], twice.Settings);
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
