using System.Globalization;
using SegAN.Persistence;
using SegAN.Training;
using static SegAN.Tests.Distributed.ClusterTools;

namespace SegAN.Tests.Distributed;

/// <summary>
/// <c>segan train --distributed</c> under Open MPI's mpirun, as separate processes: the real P/Invoke path. Tiny
/// networks on 32^3 phantoms keep each run to a few seconds.
/// </summary>
public sealed class MpiTrainingTests : IDisposable
{
    private static readonly Dictionary<string, string> MpiAsRoot = new(StringComparer.Ordinal)
    {
        ["OMPI_ALLOW_RUN_AS_ROOT"] = "1",
        ["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1",
        ["OMPI_MCA_rmaps_base_oversubscribe"] = "1",
    };

    private readonly string _root = Directory.CreateTempSubdirectory("segan-mpi-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Data()
    {
        var data = Path.Combine(_root, "data");
        RunCli("synth", "--out", data, "--cases", "4", "--size", "32", "--seed", "2");
        return data;
    }

    private (int Code, string Output) MpiRun(int ranks, params string[] cli) =>
        Run("mpirun", ["-np", ranks.ToString(CultureInfo.InvariantCulture), Dotnet, CliDll, .. cli], _root, TimeSpan.FromMinutes(3), MpiAsRoot);

    private static float[] SegmentorWeights(string run)
    {
        using var model = ModelFile.Load(Path.Combine(run, ModelFile.FileName));
        return [.. model.Segmentor.parameters().SelectMany(p => p.detach().data<float>().ToArray())];
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void TwoRanks_EndWithIdenticalWeights_AndMatchOneProcessOfTheSameGlobalBatch()
    {
        Require("mpirun");

        // Given 4 phantom cases and a network without batch norm, Dice weight 0
        var data = Data();
        var dp = Path.Combine(_root, "dp");
        var single = Path.Combine(_root, "single");

        // When 2 MPI ranks train 5 steps on a global batch of 4, and one process trains the same 5 steps
        var (code, output) = MpiRun(2, [.. TinyTraining(data, dp, 5), "--distributed"]);
        var one = Run(Dotnet, [CliDll, .. TinyTraining(data, single, 5)], _root, TimeSpan.FromMinutes(3));
        Assert.True(one.Code == 0, one.Output);

        // Then both ranks end with bit-identical weights (rank 0 compares SHA-256 fingerprints), only rank 0 wrote,
        // and the weights equal the single process's within 1e-5
        Assert.True(code == 0, output);
        var log = File.ReadAllText(Path.Combine(dp, Trainer.LogFileName));
        Assert.Contains("weights identical on all 2 ranks", log, StringComparison.Ordinal);
        Assert.Contains("data-parallel over 2 ranks: 2 slices per rank", log, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'), l => l.Contains("gradient all-reduce", StringComparison.Ordinal)); // rank 0 alone prints
        var (a, b) = (SegmentorWeights(single), SegmentorWeights(dp));
        var worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= 1e-5, $"largest weight difference {worst}");
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void KilledRank_LeavesAReadableCheckpoint_AndTheRunResumes()
    {
        Require("mpirun");

        // Given a long 2-rank run that checkpoints every step
        var data = Data();
        var run = Path.Combine(_root, "killed");
        string[] args = [.. TinyTraining(data, run, 100000, valEvery: 1), "--distributed"];
        using var mpirun = Start("mpirun", ["-np", "2", Dotnet, CliDll, .. args], _root, MpiAsRoot);
        var checkpoint = Path.Combine(run, Checkpoint.FileName);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(File.Exists(checkpoint) && Checkpoint.ReadState(checkpoint).Step >= 3) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        // When one rank is killed (SIGKILL) in the middle of training
        var ranks = ChildProcesses(mpirun.Id);
        Assert.True(ranks.Count == 2, $"expected 2 ranks under mpirun, found {ranks.Count}");
        Assert.True(File.Exists(checkpoint), "no checkpoint within 2 minutes");
        System.Diagnostics.Process.GetProcessById(ranks[^1]).Kill();
        Assert.True(mpirun.WaitForExit(TimeSpan.FromMinutes(1)), "mpirun did not end after a rank was killed");

        // Then the checkpoint is whole, and resuming on 2 ranks continues from it and ends in agreement
        var stopped = Checkpoint.ReadState(checkpoint).Step;
        Assert.True(stopped >= 3);
        var (code, output) = MpiRun(2, [.. TinyTraining(data, run, (int)stopped + 2, valEvery: 1), "--distributed", "--resume"]);
        Assert.True(code == 0, output);
        Assert.Equal(stopped + 2, Checkpoint.ReadState(checkpoint).Step);
        Assert.Contains("weights identical on all 2 ranks", File.ReadAllText(Path.Combine(run, Trainer.LogFileName)), StringComparison.Ordinal);
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void SrunWithPmix_RunsTwoRanks_ThatAgree()
    {
        RequireSlurmCluster();
        Require("srun");

        // Given 4 phantom cases, When Slurm starts 2 ranks through PMIx (no mpirun)
        var data = Data();
        var run = Path.Combine(_root, "srun");
        var (code, output) = Run("srun", ["--mpi=pmix", "-n", "2", Dotnet, CliDll, .. TinyTraining(data, run, 3), "--distributed"], _root, TimeSpan.FromMinutes(3));

        // Then they form one world of 2 and end with identical weights
        Assert.True(code == 0, output);
        var log = File.ReadAllText(Path.Combine(run, Trainer.LogFileName));
        Assert.Contains("data-parallel over 2 ranks", log, StringComparison.Ordinal);
        Assert.Contains("weights identical on all 2 ranks", log, StringComparison.Ordinal);
    }

    [Fact]
    public void Distributed_WithoutMpiLibrary_IsAClearError()
    {
        // Given a library name that cannot be loaded, When --distributed starts, Then a one-line error names the install
        var previous = Environment.GetEnvironmentVariable("SEGAN_MPI_LIBRARY");
        Environment.SetEnvironmentVariable("SEGAN_MPI_LIBRARY", "libsegan-no-such-mpi.so");
        try
        {
            var e = Assert.Throws<SegANException>(() => SegAN.Distributed.MpiCommunicator.Initialize());
            Assert.Contains("apt-get install openmpi-bin libopenmpi3", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SEGAN_MPI_LIBRARY", previous);
        }
    }

    private static List<int> ChildProcesses(int parent) =>
        [.. Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(n => int.TryParse(n, CultureInfo.InvariantCulture, out _))
            .Select(n => (Pid: int.Parse(n!, CultureInfo.InvariantCulture), Parent: ParentOf(n!)))
            .Where(p => p.Parent == parent)
            .Select(p => p.Pid)
            .Order()];

    private static int ParentOf(string pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
