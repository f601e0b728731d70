using System.Text.Json;
using SegAN.Tests.Distributed;
using SegAN.Training;

namespace SegAN.Tests.Training;

/// <summary>The parts <see cref="Trainer.Run"/> is made of, each without a network or a run.</summary>
public sealed class TrainerPartsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("segan-trainer-parts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void DivergenceGuard_IsSilent_WhileTheLossesAreFinite()
    {
        Assert.Null(DivergenceGuard.Check(new StepLosses(0.5, 0.25, 0.1, true), new TrainingState(), Path.Combine(_root, "last.ckpt")));
    }

    [Fact]
    public void DivergenceGuard_NamesTheStepAndTheCheckpointKept_WhenALossIsNaN()
    {
        // Given a run at step 7 whose last checkpoint was at step 4
        var checkpoint = Path.Combine(_root, "last.ckpt");
        File.WriteAllText(checkpoint, "x");
        var state = new TrainingState { Step = 7, LastGoodStep = 4 };

        // When a step's loss is NaN
        var message = DivergenceGuard.Check(new StepLosses(double.NaN, 0.25, 0.1, false), state, checkpoint);

        // Then the message names the failing step (the 8th) and the checkpoint's step
        Assert.NotNull(message);
        Assert.StartsWith("stopped at step 8: a loss became NaN or infinite", message, StringComparison.Ordinal);
        Assert.Contains($"({checkpoint}, step 4) was kept", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingLogEntry_WritesNaNAsNull_AndReadsItBackAsNaN()
    {
        // Given an entry of a U-Net run (no critic loss) at a validation point
        var entry = new TrainingLogEntry(10, 1.5, double.NaN, 0.5, 0.25, 2e-4, 0.9, 0.8, 0.7, 0.8);

        // When it is written and read back
        var line = entry.ToJsonLine();
        using var json = JsonDocument.Parse(line);

        // Then the file holds null for the missing loss, and the entry comes back equal
        Assert.Equal("{\"step\":10,\"seconds\":1.5,\"loss_critic\":null,\"loss_segmentor\":0.5,\"loss_dice\":0.25,\"lr\":0.0002,\"val_dice_wt\":0.9,\"val_dice_tc\":0.8,\"val_dice_et\":0.7,\"val_dice_mean\":0.8}", line);
        Assert.Equal(entry, TrainingLogEntry.Parse(json.RootElement));
    }

    [Fact]
    public void MetricsLog_WritesTheMeanSinceTheLastLine_EveryNSteps_AndAtValidationPoints()
    {
        // Given a metrics log with a line every 2 steps
        var path = Path.Combine(_root, MetricsLog.FileName);
        var lines = new List<string?>();
        using (var log = MetricsLog.Open(path, write: true, every: 2))
        {
            // When steps 1..3 are recorded, step 3 being a validation point
            lines.Add(log.Record(1, 0.1, new StepLosses(1, 2, 3, true), 1e-3, null, validationPoint: false));
            lines.Add(log.Record(2, 0.2, new StepLosses(3, 4, 5, true), 1e-3, null, validationPoint: false));
            lines.Add(log.Record(3, 0.3, new StepLosses(5, 6, 7, true), 1e-3, null, validationPoint: true));
        }

        // Then step 1 writes nothing, step 2 the mean of steps 1-2, step 3 its own losses
        Assert.Null(lines[0]);
        var entries = MetricsLog.Read(path);
        Assert.Equal([2L, 3], entries.Select(e => e.Step));
        Assert.Equal((2.0, 3.0, 4.0), (entries[0].LossCritic, entries[0].LossSegmentor, entries[0].LossDice));
        Assert.Equal((5.0, 6.0, 7.0), (entries[1].LossCritic, entries[1].LossSegmentor, entries[1].LossDice));
    }

    [Fact]
    public void MetricsLog_TruncateAfter_KeepsTheLinesUpToTheCheckpointStep()
    {
        var path = Path.Combine(_root, MetricsLog.FileName);
        File.WriteAllText(path, "{\"step\":1}\n{\"step\":2}\nnot json\n{\"step\":3}\n");

        MetricsLog.TruncateAfter(path, 2);

        Assert.Equal("{\"step\":1}\n{\"step\":2}\n", File.ReadAllText(path));
    }

    [Fact]
    public void RunFolder_RefusesANewRun_WhereARunIsAlready()
    {
        // Given a folder with a killed run's log
        var folder = new RunFolder(Path.Combine(_root, "run"));
        Directory.CreateDirectory(folder.Path);
        File.WriteAllText(folder.LogPath, "new run\n");

        // When a new run starts there, or a resume (no checkpoint), each is refused naming what to do
        var fresh = Assert.Throws<SegANException>(() => folder.Prepare(resume: false));
        var resumed = Assert.Throws<SegANException>(() => folder.Prepare(resume: true));
        Assert.Contains("already holds a run (train.log)", fresh.Message, StringComparison.Ordinal);
        Assert.Contains("nothing to resume", resumed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RankGroup_StopsEveryRank_WhenRankZerosSetupFails()
    {
        // Given two ranks where only rank 0 runs a setup that fails
        var messages = ThreadCommunicator.Run(2, communicator =>
        {
            var ranks = new RankGroup(communicator);
            var e = Assert.Throws<SegANException>(() => ranks.RootFirst(ranks.IsRoot, () => throw new SegANException("bad folder")));
            return e.Message;
        });

        // Then rank 0 sees its own error and rank 1 is told rank 0 failed, instead of waiting in a collective
        Assert.Equal("bad folder", messages[0]);
        Assert.Equal("rank 1: rank 0 could not start the run (its error says why).", messages[1]);
    }

    [Fact]
    public void RankGroup_RefusesABatchThatDoesNotSplitOverTheRanks_NamingBoth()
    {
        var messages = ThreadCommunicator.Run(3, communicator =>
            Assert.Throws<SegANException>(() => new RankGroup(communicator).CheckBatchSize(100)).Message);

        Assert.All(messages, m => Assert.Equal("batch size 100 is the global batch and must be divisible by the 3 ranks.", m));
    }
}
