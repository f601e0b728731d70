using System.Text.Json;
using SegAN.Models;
using SegAN.Persistence;
using SegAN.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace SegAN.Tests.Training;

public sealed class TrainerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "segan-trainer-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static TrainingInputs Inputs(int batch, IValidationSet? validation = null, long nanAt = -1) => new(
        consumed => new PhantomSlices(batch, 16, seed: 5, start: consumed) { NaNAt = nanAt },
        SlicesPerEpoch: 64,
        validation,
        ["flair", "t1ce"],
        "phantom");

    private TrainOptions Options(string name, long steps, Variant variant = Variant.S3_3C) => new(
        Path.Combine(_root, name), variant, Steps: steps, BatchSize: 4, LearningRate: 1e-3, ValEvery: 2, LogEvery: 1,
        Seed: 3, Depth: 2, BaseWidth: 4, CriticDepth: 2);

    [Fact]
    public void Run_WritesTheRunFolder_WithMetricsKeys()
    {
        // Given a 4-step run with validation every 2 steps
        var options = Options("run", 4);

        // When it runs
        var result = Trainer.Run(options, Inputs(4, PhantomSlices.Validation(2, 4, 16, seed: 9)));

        // Then the run folder holds every file, and metrics.jsonl has one line per step with the documented keys
        Assert.Equal(TrainStatus.Completed, result.Status);
        foreach (var file in new[] { ModelFile.FileName, Checkpoint.FileName, Trainer.MetricsFileName, Trainer.OptionsFileName, Trainer.LogFileName })
        {
            Assert.True(File.Exists(Path.Combine(options.Out, file)), file);
        }

        var lines = File.ReadAllLines(Path.Combine(options.Out, Trainer.MetricsFileName));
        Assert.Equal(4, lines.Length);
        using var last = JsonDocument.Parse(lines[^1]);
        foreach (var key in new[] { "step", "seconds", "loss_critic", "loss_segmentor", "loss_dice", "lr", "val_dice_wt", "val_dice_tc", "val_dice_et", "val_dice_mean" })
        {
            Assert.True(last.RootElement.TryGetProperty(key, out _), key);
        }

        using var first = JsonDocument.Parse(lines[0]);
        Assert.False(first.RootElement.TryGetProperty("val_dice_mean", out _));
        Assert.Equal(4, last.RootElement.GetProperty("step").GetInt64());
        var saved = JsonSerializer.Deserialize<TrainOptions>(File.ReadAllText(Path.Combine(options.Out, Trainer.OptionsFileName)), JsonDefaults.Indented);
        Assert.Equal(options, saved);
    }

    [Fact]
    public void Resume_AfterNSteps_EqualsAnUninterruptedRun()
    {
        // Given an uninterrupted 4-step run, and a 2-step run resumed to 4 steps (same seed, same batch stream)
        var whole = Options("whole", 4);
        Trainer.Run(whole, Inputs(4));
        var split = Options("split", 2);
        Trainer.Run(split, Inputs(4));

        // When the split run resumes
        var resumed = Trainer.Run(split with { Steps = 4, Resume = true }, Inputs(4));

        // Then both end at step 4 with the same weights (segmentor and critics) and the same logged losses
        Assert.Equal(4, resumed.Step);
        var a = Weights(whole.Out);
        var b = Weights(split.Out);
        Assert.Equal(a.Count, b.Count);
        foreach (var (x, y) in a.Zip(b))
        {
            Assert.Equal(x.Length, y.Length);
            Assert.True(x.Zip(y).All(p => Math.Abs(p.First - p.Second) <= 1e-6), "weights differ after resume");
        }

        var la = File.ReadAllLines(Path.Combine(whole.Out, Trainer.MetricsFileName)).Select(LossesOf).ToList();
        var lb = File.ReadAllLines(Path.Combine(split.Out, Trainer.MetricsFileName)).Select(LossesOf).ToList();
        Assert.Equal(la.Count, lb.Count);
        Assert.All(la.Zip(lb), p => Assert.True(p.First.Zip(p.Second).All(q => Math.Abs(q.First - q.Second) <= 1e-6)));
    }

    [Fact]
    public void Run_SavesACheckpoint_WhenCancelled()
    {
        // Given a run cancelled after its third step
        using var cts = new CancellationTokenSource();
        var options = Options("cancel", 10) with { ValEvery = 100 };
        var progress = new SyncProgress(p =>
        {
            if (p.Step == 3)
            {
                cts.Cancel();
            }
        });

        // When it runs
        var result = Trainer.Run(options, Inputs(4), progress: progress, cancellationToken: cts.Token);

        // Then it stops at step 3 with a checkpoint of step 3 that resumes to the end
        Assert.Equal(TrainStatus.Cancelled, result.Status);
        Assert.Equal(3, Checkpoint.ReadState(Path.Combine(options.Out, Checkpoint.FileName)).Step);
        Assert.Equal(TrainStatus.Completed, Trainer.Run(options with { Resume = true }, Inputs(4)).Status);
    }

    [Fact]
    public void Run_StopsOnANaNLoss_AndKeepsTheLastGoodCheckpoint()
    {
        // Given a batch stream whose 4th batch (index 3) holds a NaN, and checkpoints every 2 steps
        var options = Options("nan", 6);

        // When the run reaches it
        var result = Trainer.Run(options, Inputs(4, nanAt: 3));

        // Then it stops with a message and last.ckpt is the one of step 2
        Assert.Equal(TrainStatus.Diverged, result.Status);
        Assert.Contains("NaN", result.Message, StringComparison.Ordinal);
        Assert.Equal(2, Checkpoint.ReadState(Path.Combine(options.Out, Checkpoint.FileName)).Step);
    }

    [Fact]
    public void Run_RefusesToOverwriteARun_AndToResumeNothing()
    {
        var options = Options("twice", 1);
        Trainer.Run(options, Inputs(4));

        var again = Assert.Throws<SegANException>(() => Trainer.Run(options, Inputs(4)));
        Assert.Contains("already holds a run", again.Message, StringComparison.Ordinal);
        Assert.Contains("resume it", again.Message, StringComparison.Ordinal);
        Assert.Equal([Setting.Resume, Setting.Output], again.Settings);
        Assert.Contains("nothing to resume", Assert.Throws<SegANException>(() => Trainer.Run(Options("none", 1) with { Resume = true }, Inputs(4))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_LeavesNoLiveTensor_AfterItReturns()
    {
        // Given a warm-up run (first use creates process-wide tensors such as the RNG state), and the count that
        // merely building and disposing the same networks leaves (TorchSharp 0.107's Conv2d leaves one handle per
        // convolution with a bias at construction; not a per-step cost)
        Trainer.Run(Options("warm", 2), Inputs(4, PhantomSlices.Validation(1, 2, 16, seed: 9)));
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        new AdversarialTrainer(new SegAN.Models.SegANArchitecture(Variant.S3_3C, 2, 2, 4, 2), OptimizerKind.RmsProp, 1e-3, 0.05, 1.0, seed: 3).Dispose();
        var construction = DisposeScopeManager.Statistics.ThreadTotalLiveCount - live;
        live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        // When a whole run with validation and checkpoints trains and returns
        Trainer.Run(Options("leak", 4), Inputs(4, PhantomSlices.Validation(1, 2, 16, seed: 9)));

        // Then every tensor its steps, validations and checkpoints made has been released
        Assert.Equal(live + construction, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("optimizer")]
    public void Resume_WithAnotherSeedOrOptimizer_IsAClearError(string what)
    {
        var options = Options("other-" + what, 1);
        Trainer.Run(options, Inputs(4));
        var changed = what == "seed" ? options with { Seed = 4 } : options with { Optimizer = OptimizerKind.RmsProp };

        var e = Assert.Throws<SegANException>(() => Trainer.Run(changed with { Steps = 2, Resume = true }, Inputs(4)));

        Assert.Contains(what + " was ", e.Message, StringComparison.Ordinal);
        Assert.Equal([what == "seed" ? Setting.Seed : Setting.Optimizer], e.Settings);
    }

    [Fact]
    public void Resume_ARunWhoseCheckpointKeysTheDataSettingsByOption_StillResumes()
    {
        // Given a run saved before the data settings were keyed by name: its last.ckpt keys them by command-line option
        var options = Options("legacy", 1);
        Trainer.Run(options, Inputs(4) with { Settings = new Dictionary<string, string> { ["--slice-size"] = "16", ["--labels"] = "phantom" } });
        Assert.Contains("--slice-size", Checkpoint.ReadState(Path.Combine(options.Out, Checkpoint.FileName)).Settings!.Keys);
        Dictionary<string, string> Named(string sliceSize) => new() { [Setting.SliceSize.Name()] = sliceSize, [Setting.Labels.Name()] = "phantom" };

        // When it resumes with another slice size, then only that setting differs: the old keys read as the names
        var e = Assert.Throws<SegANException>(() => Trainer.Run(options with { Steps = 2, Resume = true }, Inputs(4) with { Settings = Named("8") }));
        Assert.Contains("settings differ from the run's: slice size was 16, now 8; resume", e.Message, StringComparison.Ordinal);
        Assert.Equal([Setting.SliceSize], e.Settings);

        // And with the same settings, under their names, it continues
        Assert.Equal(TrainStatus.Completed, Trainer.Run(options with { Steps = 2, Resume = true }, Inputs(4) with { Settings = Named("16") }).Status);
    }

    [Fact]
    public void Resume_WithAnotherArchitecture_IsAClearError()
    {
        var options = Options("arch", 1);
        Trainer.Run(options, Inputs(4));

        var e = Assert.Throws<SegANException>(() => Trainer.Run(options with { Steps = 2, Resume = true, BaseWidth = 8 }, Inputs(4)));

        Assert.Contains("differ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Learns_OnPhantoms_WithinSeconds()
    {
        // Given phantoms (32 steps of 8 slices of 16x16) and a held-out validation set
        var validation = PhantomSlices.Validation(2, 8, 16, seed: 11);
        var options = Options("learn", 40) with { BatchSize = 8, ValEvery = 40, LearningRate = 2e-3, Optimizer = OptimizerKind.Adam };
        using var untrained = new AdversarialTrainer(new SegAN.Models.SegANArchitecture(Variant.S3_3C, 2, 2, 4, 2), OptimizerKind.Adam, 2e-3, 0.05, 1.0, seed: 3);
        var before = Validator.Evaluate(untrained.Segmentor, validation, 8).Mean;

        // When the run trains
        var result = Trainer.Run(options, Inputs(8, validation));

        // Then validation Dice rises well above the untrained network's, and the segmentor's losses fall
        var lines = File.ReadAllLines(Path.Combine(options.Out, Trainer.MetricsFileName)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var early = lines.Take(5).Average(l => l.GetProperty("loss_dice").GetDouble());
        var late = lines.TakeLast(5).Average(l => l.GetProperty("loss_dice").GetDouble());
        output.WriteLine($"validation Dice {before:F3} -> {result.BestDice:F3}, Dice loss {early:F3} -> {late:F3}, {lines[^1].GetProperty("seconds").GetDouble():F1} s");
        Assert.True(result.BestDice > before + 0.2, $"Dice {before:F3} -> {result.BestDice:F3}");
        Assert.True(late < early, $"Dice loss {early:F3} -> {late:F3}");
    }

    private static List<float[]> Weights(string run)
    {
        // The checkpoint's networks: load into a fresh trainer of the same architecture
        var state = Checkpoint.ReadState(Path.Combine(run, Checkpoint.FileName));
        using var trainer = new AdversarialTrainer(state.Architecture, state.Options.Optimizer, 1e-3, 0.05, 1.0, seed: 99);
        Checkpoint.Load(Path.Combine(run, Checkpoint.FileName), trainer);
        return [.. trainer.Segmentor.state_dict().Values.Concat(trainer.Critics.SelectMany(c => c.state_dict().Values))
            .Select(t => t.to(torch.float32).flatten().data<float>().ToArray())];
    }

    private static double[] LossesOf(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        return [r.GetProperty("loss_critic").GetDouble(), r.GetProperty("loss_segmentor").GetDouble(), r.GetProperty("loss_dice").GetDouble()];
    }

    // Progress<T> posts to the thread pool; tests need the callback on the training thread.
    private sealed class SyncProgress(Action<TrainProgress> action) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => action(value);
    }
}
