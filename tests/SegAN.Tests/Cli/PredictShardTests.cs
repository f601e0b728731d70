using SegAN.Cli;
using SegAN.Distributed;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

/// <summary><c>segan predict --shard/--shards</c> in process (the Slurm job-array path runs in SlurmShardedPredictTests).</summary>
public sealed class PredictShardTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("segan-predict-shard-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Output) Segan(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var code = SeganApp.Run(args, console);
        return (code, console.Output);
    }

    private static string[] Names(string folder) =>
        [.. Directory.GetFiles(folder, "*_seg.nii.gz").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void Shards_TogetherWriteEveryCaseOnce_AndReportThemselves()
    {
        // Given 3 phantom cases and a tiny model
        var data = Path.Combine(_root, "data");
        var model = Path.Combine(_root, "run", "model.segan");
        Assert.Equal(ExitCodes.Ok, Segan("synth", "--out", data, "--cases", "3", "--size", "32").Code);
        Assert.Equal(ExitCodes.Ok, Segan("train", "--data", data, "--out", Path.Combine(_root, "run"), "--steps", "1", "--batch", "2", "--depth", "1", "--critic-depth", "1", "--width", "2", "--slice-size", "16", "--crop", "24x24x16").Code);

        // When shard 0/2 and shard 1/2 run into one folder, and shard 1/2 runs again (a requeued task)
        var output = Path.Combine(_root, "out");
        var first = Segan("predict", "-m", model, "-i", data, "-o", output, "--shard", "0/2");
        var second = Segan("predict", "-m", model, "-i", data, "-o", output, "--shard", "1/2");
        var again = Segan("predict", "-m", model, "-i", data, "-o", output, "--shard", "1/2");

        // Then round-robin over sorted names gave cases 1 and 3 to shard 0 and case 2 to shard 1, and the rerun skipped
        Assert.True(first.Code == ExitCodes.Ok, first.Output);
        Assert.True(second.Code == ExitCodes.Ok, second.Output);
        Assert.Equal(["Phantom001_seg.nii.gz", "Phantom002_seg.nii.gz", "Phantom003_seg.nii.gz"], Names(output));
        var report0 = ShardReport.Read(Path.Combine(output, "failures-shard-0-of-2.json"));
        Assert.Equal(("0/2", 2, 2, 0), (report0.Shard, report0.Cases, report0.Written, report0.Skipped));
        Assert.Empty(report0.Failures);
        Assert.True(again.Code == ExitCodes.Ok, again.Output);
        var report1 = ShardReport.Read(Path.Combine(output, "failures-shard-1-of-2.json"));
        Assert.Equal(("1/2", 1, 0, 1), (report1.Shard, report1.Cases, report1.Written, report1.Skipped));
    }

    [Fact]
    public void Shard_ListsAFailedCase_InItsReport_AndExitsOne()
    {
        // Given 2 phantom cases, a tiny model, and case 2's FLAIR cut short after training
        var data = Path.Combine(_root, "data");
        var model = Path.Combine(_root, "run", "model.segan");
        Assert.Equal(ExitCodes.Ok, Segan("synth", "--out", data, "--cases", "2", "--size", "32").Code);
        Assert.Equal(ExitCodes.Ok, Segan("train", "--data", data, "--out", Path.Combine(_root, "run"), "--steps", "1", "--batch", "2", "--depth", "1", "--critic-depth", "1", "--width", "2", "--slice-size", "16", "--crop", "24x24x16", "--val-fraction", "0").Code);
        var flair = Path.Combine(data, "Phantom002", "Phantom002_flair.nii.gz");
        var bytes = File.ReadAllBytes(flair);
        File.WriteAllBytes(flair, bytes[..(bytes.Length / 2)]);

        // When the only shard runs
        var output = Path.Combine(_root, "out");
        var (code, text) = Segan("predict", "-m", model, "-i", data, "-o", output, "--shard", "0/1");

        // Then case 1 is written, case 2 is listed with an error naming its file, and the exit code says a case failed
        Assert.True(code == ExitCodes.Failed, text);
        var report = ShardReport.Read(Path.Combine(output, "failures-shard-0-of-1.json"));
        Assert.Equal(("0/1", 2, 1, 0), (report.Shard, report.Cases, report.Written, report.Skipped));
        var failure = Assert.Single(report.Failures);
        Assert.Equal("Phantom002", failure.Case);
        Assert.Contains("Phantom002_flair.nii.gz", failure.Error, StringComparison.Ordinal);
        Assert.Equal(["Phantom001_seg.nii.gz"], Names(output));
    }

    [Theory]
    [InlineData("--shard", "2/2", "between 0 and 1")]
    [InlineData("--shards", "3", "--shards, --shard: number of shards 3 needs the shard's index")]
    public void BadShard_IsAUsageError_WithOneLine(string option, string value, string problem)
    {
        var (code, output) = Segan("predict", "-m", Path.Combine(_root, "none.segan"), "-o", Path.Combine(_root, "o"), option, value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(problem, output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "o")));
    }
}
