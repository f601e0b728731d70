using System.Globalization;
using SegAN.Experiments;
using SegAN.Tests.Cli;
using SegAN.Training;
using static SegAN.Tests.Distributed.ClusterTools;

namespace SegAN.Tests.Distributed;

/// <summary>
/// <c>segan experiment</c> as a Slurm job array on the local cluster (scripts/local-slurm.sh): one (variant, seed)
/// per task from SLURM_ARRAY_TASK_ID, all in one experiment folder, merged by <c>--report</c>.
/// </summary>
[Trait("Category", "Slow")] // a Slurm job array; without a cluster it waits 9 s to skip
public sealed class SlurmExperimentTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-slurm-experiment-");

    public void Dispose() => _root.Delete(recursive: true);

    [SkippableFact]
    public void CancelledArray_ResubmittedAndMerged_GivesTheCompleteReport_WithNoCorruptFile()
    {
        RequireSlurmCluster();
        var root = _root.FullName;
        var data = Path.Combine(root, "data");
        var output = Path.Combine(root, "exp");
        RunCli("synth", "--out", data, "--cases", "5", "--size", "48", "--seed", "4");
        var experiment = ExperimentCommandTests.Tiny(data, output, "unet,s3-1c", steps: 60);
        var script = WriteArrayScript(root, "experiment", [.. experiment, "--threads", "1"]);

        // Given a 2-task array (one run each) cancelled (SIGTERM, then SIGKILL) as soon as a run has its first checkpoint
        SubmitAndCancelWhen(root, script, "0-1", () => Checkpoints(output).Length > 0);

        // Then every checkpoint and evaluation summary left behind is whole
        var cut = Checkpoints(output).ToDictionary(c => c, c => Checkpoint.ReadState(c).Step);
        Assert.NotEmpty(cut);
        var summaries = Directory.Exists(output) ? Directory.GetFiles(output, "summary.json", SearchOption.AllDirectories) : [];
        Assert.All(summaries, s => Assert.Equal(3, ExperimentRunner.ReadScores(s).Count));
        Assert.All(
            Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories),
            f => Assert.True(Path.GetFileName(f).StartsWith('.') || f.Contains("evaluation.tmp", StringComparison.Ordinal), $"{f}: not a temporary name"));

        // When the array is submitted again and the report merged
        var again = SubmitAndWait(root, script, "0-1");
        Assert.True(again.Ok, again.Output);
        RunCli([.. experiment, "--report"]);

        // Then the report is complete, no temporary file of the killed tasks is left, and a run that was cut short
        // resumed from its checkpoint
        var merged = File.ReadAllText(Path.Combine(output, ExperimentReport.MarkdownFileName));
        Assert.Contains("Runs finished: 2 of 2.", merged, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories));
        var logs = string.Join('\n', Directory.GetFiles(root, "slurm-*.out").Select(File.ReadAllText));
        foreach (var (checkpoint, step) in cut.Where(c => c.Value < 60))
        {
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"resuming training at step {step} of 60"), logs, StringComparison.Ordinal);
        }

        Console.WriteLine(string.Join(", ", cut.Select(c => $"{Path.GetRelativePath(output, c.Key)} cut at step {c.Value}")));
    }

    private static string[] Checkpoints(string output) =>
        Directory.Exists(Path.Combine(output, "runs"))
            ? Directory.GetFiles(Path.Combine(output, "runs"), Checkpoint.FileName, SearchOption.AllDirectories)
            : [];
}
