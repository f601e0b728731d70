using System.Globalization;
using SegAN.Distributed;
using SegAN.Imaging;
using static SegAN.Tests.Distributed.ClusterTools;

namespace SegAN.Tests.Distributed;

/// <summary>
/// Phantom cases, a tiny trained model and a one-process prediction of all cases: the reference the sharded runs
/// are compared with. Built once for the class, on first use (so that skipped tests cost nothing).
/// </summary>
public sealed class ShardedPredictFixture : IDisposable
{
    private readonly Lazy<string> _root;

    public ShardedPredictFixture()
    {
        _root = new Lazy<string>(() =>
        {
            var root = Directory.CreateTempSubdirectory("segan-slurm-").FullName;
            RunCli("synth", "--out", Path.Combine(root, "data"), "--cases", "8", "--size", "48", "--seed", "4");
            Expect(Run(Dotnet, [CliDll, .. TinyTraining(Path.Combine(root, "data"), Path.Combine(root, "run"), 2)], root, TimeSpan.FromMinutes(3)));
            Expect(Run(Dotnet, [CliDll, .. Predict(root, "whole")], root, TimeSpan.FromMinutes(3)));
            return root;
        });
    }

    /// <summary>The folder holding data/, run/model.segan and whole/ (the one-process prediction).</summary>
    public string Root => _root.Value;

    /// <summary><c>segan predict</c> arguments of the model on all cases into <paramref name="output"/>.</summary>
    public static string[] Predict(string root, string output) =>
        ["predict", "-m", Path.Combine(root, "run", "model.segan"), "-i", Path.Combine(root, "data"), "-o", Path.Combine(root, output), "--threads", "1"];

    public void Dispose()
    {
        if (_root.IsValueCreated)
        {
            Directory.Delete(_root.Value, recursive: true);
        }
    }

    private static void Expect((int Code, string Output) run) => Assert.True(run.Code == 0, run.Output);
}

/// <summary>
/// <c>segan predict</c> as a Slurm job array on the local cluster (scripts/local-slurm.sh): each task finds its shard
/// in SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT.
/// </summary>
[Trait("Category", "Slow")] // Slurm job arrays; without a cluster each waits 9 s to skip
public sealed class SlurmShardedPredictTests(ShardedPredictFixture fixture) : IClassFixture<ShardedPredictFixture>
{
    private static string WriteJobScript(string root, string output) =>
        WriteArrayScript(root, $"predict-{output}", ShardedPredictFixture.Predict(root, output));

    private static ShardReport[] Reports(string folder) =>
        [.. Directory.GetFiles(folder, "failures-shard-*.json").Order(StringComparer.Ordinal).Select(ShardReport.Read)];

    [SkippableFact]
    public void ArrayOfFourTasks_WritesTheSameLabelMapsAsOneProcess_AndEvaluateReadsTheUnion()
    {
        RequireSlurmCluster();
        var root = fixture.Root;

        // Given the one-process prediction of 8 cases, When an array of 4 tasks predicts them
        var (ok, output) = SubmitAndWait(root, WriteJobScript(root, "sharded"), "0-3");

        // Then every label map equals the one-process one voxel for voxel, each task reports its 2 cases, none failed
        Assert.True(ok, output);
        AssertSameLabelMaps(Path.Combine(root, "whole"), Path.Combine(root, "sharded"));
        var reports = Reports(Path.Combine(root, "sharded"));
        Assert.Equal(["0/4", "1/4", "2/4", "3/4"], reports.Select(r => r.Shard));
        Assert.All(reports, r => Assert.Equal((2, 2, 0, 0), (r.Cases, r.Written, r.Skipped, r.Failures.Count)));

        // And segan evaluate scores the union like the one-process folder
        RunCli("evaluate", "--pred", Path.Combine(root, "sharded"), "--truth", Path.Combine(root, "data"), "-o", Path.Combine(root, "eval-sharded"));
        RunCli("evaluate", "--pred", Path.Combine(root, "whole"), "--truth", Path.Combine(root, "data"), "-o", Path.Combine(root, "eval-whole"));
        Assert.Equal(
            File.ReadAllText(Path.Combine(root, "eval-whole", "cases.csv")),
            File.ReadAllText(Path.Combine(root, "eval-sharded", "cases.csv")));
    }

    [SkippableFact]
    public void CancelledArray_LeavesOnlyWholeOutputs_AndAResubmissionDoesOnlyTheMissingCases()
    {
        RequireSlurmCluster();
        var root = fixture.Root;
        var folder = Path.Combine(root, "requeued");
        var script = WriteJobScript(root, "requeued");

        // Given a 2-task array cancelled (SIGTERM, then SIGKILL) as soon as its first label map appears
        SubmitAndCancelWhen(root, script, "0-1", () => Directory.Exists(folder) && Directory.GetFiles(folder, "*_seg.nii.gz").Length > 0);

        // Then every label map left behind is complete and readable
        var left = Directory.GetFiles(folder, "*_seg.nii.gz");
        Assert.NotEmpty(left);
        foreach (var file in left)
        {
            Assert.NotEmpty(NiftiFile.Read(file).Volumes[0].Data);
        }

        // When the array is submitted again
        var again = SubmitAndWait(root, script, "0-1");
        Assert.True(again.Ok, again.Output);

        // Then it skipped exactly the cases left behind, wrote the others, and the folder equals the one-process run
        var reports = Reports(folder);
        Assert.Equal(2, reports.Length);
        Assert.Equal(left.Length, reports.Sum(r => r.Skipped));
        Assert.Equal(8 - left.Length, reports.Sum(r => r.Written));
        AssertSameLabelMaps(Path.Combine(root, "whole"), folder);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cancelled with {left.Length} of 8 cases written"));
    }
}
