using System.Diagnostics;
using System.Text;
using SegAN.Cli;
using SegAN.Imaging;
using Spectre.Console.Testing;

namespace SegAN.Tests.Distributed;

/// <summary>
/// Running the built CLI (SegAN.Cli.dll, copied next to the test assembly) under MPI and Slurm. Tools that are
/// missing skip a test, except under CI=true where they must be there (.ci/run installs them and starts the local
/// Slurm cluster with scripts/local-slurm.sh).
/// </summary>
internal static class ClusterTools
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The built CLI next to the test assembly.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "SegAN.Cli.dll");

    /// <summary>The dotnet host running the tests (DOTNET_HOST_PATH under dotnet test), else dotnet on PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Tiny-network training arguments for a 32^3 phantom dataset (depth and critic depth 1: no batch norm anywhere).</summary>
    public static string[] TinyTraining(string data, string run, int steps, int valEvery = 100) =>
    [
        "train", "--data", data, "--out", run, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch", "4",
        "--depth", "1", "--critic-depth", "1", "--width", "4", "--slice-size", "16", "--crop", "24x24x16", "--val-every", valEvery.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log-every", "1",
        "--seed", "1", "--dice-weight", "0", "--optimizer", "adam", "--lr", "1e-3", "--threads", "1",
    ];

    /// <summary>Skips the test unless every tool is on PATH (under CI=true: fails instead).</summary>
    public static void Require(params string[] tools)
    {
        foreach (var tool in tools)
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Any(dir => File.Exists(Path.Combine(dir, tool)));
            Assert.False(!found && IsCi, $"{tool} is required under CI=true (.ci/run installs it)");
            Skip.If(!found, $"{tool} is not installed");
        }
    }

    /// <summary>Skips the test unless a Slurm controller answers and has a node that takes jobs.</summary>
    public static void RequireSlurmCluster()
    {
        Require("sbatch", "sinfo", "scancel");
        var (code, output) = Run("sinfo", ["-h", "-o", "%T"], Path.GetTempPath(), TimeSpan.FromSeconds(20));
        var ready = code == 0 && output.Split('\n').Any(s => s.Trim() is "idle" or "mixed" or "allocated");
        Assert.False(!ready && IsCi, $"no Slurm node takes jobs under CI=true (run scripts/local-slurm.sh start): {output}");
        Skip.If(!ready, "no Slurm cluster (start one with scripts/local-slurm.sh start)");
    }

    /// <summary>Submits an array and waits for its end by polling squeue (sbatch --wait polls with back-off up to 32 s).</summary>
    public static (bool Ok, string Output) SubmitAndWait(string root, string script, string array)
    {
        var job = Submit(root, script, array);
        WaitUntilGone(root, job, DateTime.UtcNow.AddMinutes(5));

        // Finished jobs stay visible to scontrol for MinJobAge (300 s by default): every task must have COMPLETED.
        var (_, states) = Run("scontrol", ["-o", "show", "job", job], root, TimeSpan.FromMinutes(1));
        var lines = states.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (lines.Length > 0 && lines.All(l => l.Contains("JobState=COMPLETED", StringComparison.Ordinal)), states);
    }

    /// <summary>
    /// A one-CPU-per-task array job script in <paramref name="root"/> that runs the CLI with <paramref name="cliArgs"/>,
    /// each task's output in <c>slurm-JOB_TASK.out</c>.
    /// </summary>
    public static string WriteArrayScript(string root, string name, IEnumerable<string> cliArgs)
    {
        var script = Path.Combine(root, $"{name}.sh");
        var command = string.Join(' ', new[] { Dotnet, CliDll }.Concat(cliArgs).Select(a => $"'{a}'"));
        File.WriteAllText(script, $"#!/bin/bash\n#SBATCH --job-name=segan-test-{name}\n#SBATCH --cpus-per-task=1\n#SBATCH --output={root}/slurm-%A_%a.out\nexec {command}\n");
        return script;
    }

    /// <summary>Submits <paramref name="script"/> as an array; returns the job id.</summary>
    public static string Submit(string root, string script, string array)
    {
        var (code, submitted) = Run("sbatch", ["--parsable", $"--array={array}", script], root, TimeSpan.FromMinutes(1));
        Assert.True(code == 0, submitted);
        return submitted.Trim().Split(';')[0];
    }

    /// <summary>
    /// Submits an array, cancels it (SIGTERM, then SIGKILL) as soon as <paramref name="cutPoint"/> holds (or after 3
    /// minutes), and waits until its tasks are gone.
    /// </summary>
    public static void SubmitAndCancelWhen(string root, string script, string array, Func<bool> cutPoint)
    {
        var job = Submit(root, script, array);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!cutPoint() && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Run("scancel", ["--full", job], root, TimeSpan.FromMinutes(1));
        WaitUntilGone(root, job, DateTime.UtcNow.AddMinutes(1));
    }

    public static void WaitUntilGone(string root, string job, DateTime deadline)
    {
        while (Run("squeue", ["-h", "-j", job], root, TimeSpan.FromMinutes(1)).Output.Trim().Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Slurm job {job} did not end in time");
            Thread.Sleep(300);
        }
    }

    /// <summary>Runs a program to its end; returns its exit code and its output and errors together.</summary>
    public static (int Code, string Output) Run(string program, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        using var process = Start(program, args, workingDirectory, environment);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in {timeout.TotalSeconds} s:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Starts a program with its output discarded.</summary>
    public static Process Start(string program, IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
    }

    /// <summary>Runs the CLI in this process (fast; for set-up steps such as writing phantoms).</summary>
    public static void RunCli(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var code = SeganApp.Run(args, console);
        Assert.True(code == ExitCodes.Ok, $"segan {string.Join(' ', args)} exited {code}:\n{console.Output}");
    }

    /// <summary>Asserts that two folders hold the same label maps, voxel for voxel.</summary>
    public static void AssertSameLabelMaps(string expectedFolder, string actualFolder)
    {
        var expected = Directory.GetFiles(expectedFolder, "*_seg.nii.gz").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var actual = Directory.GetFiles(actualFolder, "*_seg.nii.gz").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
        foreach (var name in expected)
        {
            var a = NiftiFile.Read(Path.Combine(expectedFolder, name!)).Volumes[0];
            var b = NiftiFile.Read(Path.Combine(actualFolder, name!)).Volumes[0];
            Assert.Equal(a.Geometry.Shape, b.Geometry.Shape);
            Assert.True(a.Data.AsSpan().SequenceEqual(b.Data), $"{name}: voxels differ");
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
