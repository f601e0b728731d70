using SegAN.Data;
using SegAN.Distributed;
using SegAN.Models;
using SegAN.Persistence;
using SegAN.Tests.Training;
using SegAN.Training;
using TorchSharp;

namespace SegAN.Tests.Distributed;

/// <summary>
/// Data-parallel training on in-process ranks (<see cref="ThreadCommunicator"/>): the same broadcast, gradient
/// all-reduce and rank-0-only writing as under MPI, without needing MPI. The tests compare runs that must start
/// from the same seeded weights, drawn from torch's process-wide generator: they rely on tests not running in
/// parallel (AssemblyInfo.cs).
/// </summary>
public sealed class DataParallelTrainingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("segan-dp-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Rank <paramref name="rank"/>'s items of each global batch of a phantom stream.</summary>
    private sealed class Part(ISliceBatchSource global, int rank, int ranks) : ISliceBatchSource
    {
        public SliceBatch Next()
        {
            var b = global.Next();
            var n = b.Count / ranks;
            var image = b.Channels * b.Height * b.Width;
            var target = SliceBatch.RegionCount * b.Height * b.Width;
            return new SliceBatch(
                b.Images.AsSpan(rank * n * image, n * image).ToArray(),
                b.Targets.AsSpan(rank * n * target, n * target).ToArray(),
                n,
                b.Channels,
                b.Height,
                b.Width);
        }
    }

    private static float[] Weights(torch.nn.Module module) =>
        [.. module.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray())];

    [Fact]
    public void TwoRanks_EndWithBitIdenticalWeights_FromDifferentInitialWeights()
    {
        // Given two ranks whose networks start from different seeds, with batch norm, each on its own half of the batches
        var architecture = new SegANArchitecture(Variant.S3_3C, PhantomSlices.Channels, Depth: 2, BaseWidth: 4, CriticDepth: 2);

        // When rank 0's state is broadcast and both train 5 steps with averaged gradients
        var weights = ThreadCommunicator.Run(2, communicator =>
        {
            using var trainer = new AdversarialTrainer(architecture, OptimizerKind.Adam, 1e-3, 0.05, 1.0, seed: 10 + communicator.Rank)
            {
                GradientReducer = new AllReduceGradientReducer(communicator),
            };
            StateBroadcast.FromRoot(communicator, 0, trainer.SaveState, trainer.LoadState);
            var source = new Part(new PhantomSlices(4, 16, seed: 2), communicator.Rank, 2);
            for (var step = 0; step < 5; step++)
            {
                Assert.True(trainer.Step(source.Next(), 1e-3).Finite);
            }

            return (Segmentor: Weights(trainer.Segmentor), Critics: trainer.Critics.SelectMany(Weights).ToArray());
        });

        // Then both ranks hold exactly the same segmentor and critic weights, different from the start
        Assert.Equal(weights[0].Segmentor, weights[1].Segmentor);
        Assert.Equal(weights[0].Critics, weights[1].Critics);
        using var fresh = new AdversarialTrainer(architecture, OptimizerKind.Adam, 1e-3, 0.05, 1.0, seed: 10);
        Assert.NotEqual(Weights(fresh.Segmentor), weights[0].Segmentor);
    }

    [Fact]
    public void Run_OnTwoRanks_MatchesOneProcessOfTheSameGlobalBatch_WithoutBatchNorm()
    {
        // Given networks without batch norm (depth 1: no normalised layer), Dice weight 0 (a mean over the batch
        // decomposes over ranks; a batch Dice does not), and a global batch of 4
        TrainOptions Options(string name) => new(
            Path.Combine(_root, name), Variant.S3_3C, Steps: 5, BatchSize: 4, LearningRate: 1e-3, ValEvery: 5, LogEvery: 1,
            Seed: 3, Depth: 1, BaseWidth: 4, CriticDepth: 1, DiceWeight: 0);
        TrainingInputs Inputs(int rank, int ranks) => new(
            consumed => new Part(new PhantomSlices(4, 16, seed: 5, start: consumed), rank, ranks), 64, null, ["flair", "t1ce"], "phantom");

        // When one process trains 5 steps, and two ranks train 5 steps on halves of the same batches
        var single = Trainer.Run(Options("single"), Inputs(0, 1));
        var results = ThreadCommunicator.Run(2, c => Trainer.Run(Options("dp"), Inputs(c.Rank, 2), communicator: c));

        // Then both complete, and rank 0's model equals the single process's within 1e-5
        Assert.Equal(TrainStatus.Completed, single.Status);
        Assert.All(results, r => Assert.Equal(TrainStatus.Completed, r.Status));
        using var a = ModelFile.Load(Path.Combine(_root, "single", ModelFile.FileName));
        using var b = ModelFile.Load(Path.Combine(_root, "dp", ModelFile.FileName));
        var (wa, wb) = (Weights(a.Segmentor), Weights(b.Segmentor));
        Assert.Equal(wa.Length, wb.Length);
        var worst = wa.Zip(wb, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= 1e-5, $"largest weight difference {worst}");
        Assert.Contains("data-parallel over 2 ranks", File.ReadAllText(Path.Combine(_root, "dp", Trainer.LogFileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OnTwoRanks_Resumes_AndOnlyRankZeroWrites()
    {
        // Given a 2-rank run stopped after 2 of 4 steps (its Steps raised on resume)
        var first = new TrainOptions(Path.Combine(_root, "r"), Variant.S3_3C, Steps: 2, BatchSize: 4, LearningRate: 1e-3, ValEvery: 2, LogEvery: 1, Seed: 3, Depth: 1, BaseWidth: 4, CriticDepth: 1);
        TrainingInputs Inputs(int rank) => new(consumed => new Part(new PhantomSlices(4, 16, seed: 5, start: consumed), rank, 2), 64, null, ["flair", "t1ce"], "phantom");
        ThreadCommunicator.Run(2, c => Trainer.Run(first, Inputs(c.Rank), communicator: c));

        // When both ranks resume it to 4 steps
        var resumed = ThreadCommunicator.Run(2, c => Trainer.Run(first with { Steps = 4, Resume = true }, Inputs(c.Rank), communicator: c));

        // Then every rank continued from rank 0's step 2 and ended at step 4
        Assert.All(resumed, r => Assert.Equal((TrainStatus.Completed, 4L), (r.Status, r.Step)));
        Assert.Equal(4, Checkpoint.ReadState(Path.Combine(_root, "r", Checkpoint.FileName)).Step);
    }

    [Fact]
    public void Run_ResumedWithAnotherNumberOfRanks_ContinuesTheSameGlobalBatches()
    {
        // Given networks without batch norm, Dice weight 0: 2 ranks train steps 1-2, then 1 process resumes to step 4
        TrainOptions Options(string name, long steps, bool resume = false) => new(
            Path.Combine(_root, name), Variant.S3_3C, Steps: steps, BatchSize: 4, LearningRate: 1e-3, ValEvery: 2, LogEvery: 1,
            Seed: 3, Resume: resume, Depth: 1, BaseWidth: 4, CriticDepth: 1, DiceWeight: 0);
        TrainingInputs Inputs(int rank, int ranks) => new(
            consumed => new Part(new PhantomSlices(4, 16, seed: 5, start: consumed), rank, ranks), 64, null, ["flair", "t1ce"], "phantom");
        ThreadCommunicator.Run(2, c => Trainer.Run(Options("grow", 2), Inputs(c.Rank, 2), communicator: c));

        // When it is resumed by one process, and compared with one process trained 4 steps from the start
        var resumed = Trainer.Run(Options("grow", 4, resume: true), Inputs(0, 1));
        Trainer.Run(Options("straight", 4), Inputs(0, 1));

        // Then both models agree within 1e-5: the global batch stream does not depend on the number of ranks
        Assert.Equal((TrainStatus.Completed, 4L), (resumed.Status, resumed.Step));
        using var a = ModelFile.Load(Path.Combine(_root, "grow", ModelFile.FileName));
        using var b = ModelFile.Load(Path.Combine(_root, "straight", ModelFile.FileName));
        var worst = Weights(a.Segmentor).Zip(Weights(b.Segmentor), (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= 1e-5, $"largest weight difference {worst}");
    }

    [Fact]
    public void Run_OnTwoRanks_FailsOnEveryRank_WhenRankZeroCannotStart()
    {
        // Given a resume request for a folder without a checkpoint
        var options = new TrainOptions(Path.Combine(_root, "none"), Variant.S3_3C, Steps: 2, BatchSize: 4, Depth: 1, BaseWidth: 4, CriticDepth: 1, Resume: true);
        TrainingInputs Inputs(int rank) => new(consumed => new Part(new PhantomSlices(4, 16, seed: 5, start: consumed), rank, 2), 64, null, ["flair", "t1ce"], "phantom");

        // When two ranks start, Then both throw (none waits forever): rank 0 its own error, rank 1 a pointer to it
        var errors = ThreadCommunicator.Run(2, c => Record.Exception(() => Trainer.Run(options, Inputs(c.Rank), communicator: c)));
        Assert.Contains("nothing to resume", errors[0]!.Message, StringComparison.Ordinal);
        Assert.Contains("rank 0 could not start", errors[1]!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Throws_WhenTheGlobalBatchDoesNotDivideAmongTheRanks()
    {
        var options = new TrainOptions(Path.Combine(_root, "odd"), Variant.S3_3C, Steps: 1, BatchSize: 3, Depth: 1, BaseWidth: 4, CriticDepth: 1);
        var errors = ThreadCommunicator.Run(2, c => Record.Exception(() => Trainer.Run(options, new TrainingInputs(_ => new PhantomSlices(1, 16, 0), 64, null, ["a", "b"], "phantom"), communicator: c)));
        Assert.All(errors, e => Assert.Contains("divisible by the 2 ranks", e!.Message, StringComparison.Ordinal));
    }
}
