using System.Diagnostics;
using System.Text.Json;
using SegAN.Cli;
using SegAN.Tests.Distributed;
using SegAN.Training;
using static SegAN.Tests.Cli.HostileCliFixture;

namespace SegAN.Tests.Cli;

/// <summary>
/// Issue 15, class 6 and 7: SIGTERM checkpoints and exits 143 like Ctrl-C; a run folder holding a run is resumed or
/// refused; a killed write's temporary file is removed on the next start; --resume refuses options that change the
/// run, naming each; the run's text files carry no byte-order mark.
/// </summary>
[Collection(HostileCliCollection.Name)]
public sealed class HardStopCommandTests(HostileCliFixture fixture)
{
    private string[] Tiny(string run, int steps, params string[] more) => Train(run, steps, "16", "1e-3", "2", more);

    private string[] Train(string run, int steps, string sliceSize, string lr, string valEvery, params string[] more) =>
        ["train", "--data", fixture.Data, "--out", run, "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch", "2", "--depth", "1", "--critic-depth", "1",
         "--width", "2", "--slice-size", sliceSize, "--crop", "24x24x16", "--val-every", valEvery, "--log-every", "1", "--lr", lr, "--device", "cpu", .. more];

    [Fact]
    public void Train_ARerunAfterAKillBeforeTheFirstCheckpoint_IsRefused_NotAppendedTo()
    {
        // Given a run folder as a kill -9 before the first checkpoint leaves it: a log and two metrics lines
        var run = Directory.CreateDirectory(Path.Combine(fixture.Root, "killed")).FullName;
        File.WriteAllText(Path.Combine(run, Trainer.MetricsFileName), "{\"step\":1}\n{\"step\":2}\n");
        File.WriteAllText(Path.Combine(run, Trainer.LogFileName), "new run\n");
        var before = Snapshot(run);

        // When the same command runs again, or with --resume, then each is one line saying what to do, exit 2
        OneLineError(Segan(Tiny(run, 2)), ExitCodes.Usage, run, "already holds a run", "metrics.jsonl", "--resume");
        OneLineError(Segan(Tiny(run, 2, "--resume")), ExitCodes.Usage, "nothing to resume", "before its first checkpoint");

        // And the folder is unchanged: no metrics appended
        Assert.Equal(before, Snapshot(run));
    }

    [Fact]
    public void Train_Resume_RemovesAKilledWritesTemporaryFile_AndRefusesChangedOptions_NamingEach()
    {
        // Given a 2-step run, and the temporary checkpoint a process killed mid-write leaves (its PID no longer runs)
        var run = Path.Combine(fixture.Root, "resumed");
        Expect(ExitCodes.Ok, Segan(Tiny(run, 2)));
        var stale = Path.Combine(run, ".last.ckpt.2147483000.tmp");
        File.WriteAllBytes(stale, new byte[100]);

        // When it resumes with another learning rate, slice size and seed
        var changed = Segan(Train(run, 4, "8", "2e-3", "2", "--resume", "--seed", "5"));

        // Then one line names every changed option, and each setting with both values, exit 2
        OneLineError(changed, ExitCodes.Usage, "--lr, --seed, --slice-size:", "learning rate was 0.001, now 0.002", "seed was 0, now 5", "slice size was 16, now 8");

        // And resuming with the run's options continues it, and the stale temporary file is gone
        Expect(ExitCodes.Ok, Segan(Tiny(run, 4, "--resume")));
        Assert.False(File.Exists(stale));
        Assert.Equal([1L, 2, 3, 4], File.ReadLines(Path.Combine(run, Trainer.MetricsFileName)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()));
    }

    [Fact]
    public void Train_RunFiles_StartWithoutAByteOrderMark_AndParseAsJsonLines()
    {
        var run = Path.Combine(fixture.Root, "nobom");
        Expect(ExitCodes.Ok, Segan(Tiny(run, 2)));

        foreach (var name in new[] { Trainer.MetricsFileName, Trainer.LogFileName, Trainer.OptionsFileName })
        {
            var bytes = File.ReadAllBytes(Path.Combine(run, name));
            Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, $"{name} starts with a UTF-8 BOM");
        }

        Assert.All(File.ReadAllLines(Path.Combine(run, Trainer.MetricsFileName)), line => JsonDocument.Parse(line).Dispose());
    }

    [SkippableFact]
    public void Train_Sigterm_SavesACheckpoint_AndExits143_ThenResumes()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "POSIX signals");

        // Given a long training run in a child process
        var run = Path.Combine(fixture.Root, "sigterm");
        var info = new ProcessStartInfo(ClusterTools.Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ClusterTools.CliDll);
        foreach (var a in Train(run, 100000, "16", "1e-3", "100000", "--threads", "1"))
        {
            info.ArgumentList.Add(a);
        }

        using var child = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        var stepping = new ManualResetEventSlim();
        child.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.StartsWith("step ", StringComparison.Ordinal) == true)
            {
                stepping.Set();
            }
        };
        child.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        Assert.True(stepping.Wait(TimeSpan.FromMinutes(3)), "training never started: " + output);

        // When it receives SIGTERM (as Slurm or Kubernetes send before killing a job)
        using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(2)), "no exit after SIGTERM");
        child.WaitForExit();

        // Then it saved a checkpoint and exited 143, saying so
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        Assert.True(child.ExitCode == ExitCodes.Terminated, $"exit {child.ExitCode}: {text}");
        Assert.Contains("cancelled at step", text, StringComparison.Ordinal);
        var step = Checkpoint.ReadState(Path.Combine(run, Checkpoint.FileName)).Step;
        Assert.True(step >= 1, text);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

        // And the run resumes from it
        Expect(ExitCodes.Ok, Segan(Tiny(run, (int)step + 1, "--resume")));
    }
}
