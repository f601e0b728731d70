using System.Diagnostics;
using SegAN.Experiments;

namespace SegAN.Tests.Experiments;

public sealed class RunLockTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-run-lock-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void TryAcquire_WhileHeld_IsRefused_AndSucceedsOnceReleased()
    {
        // Given a run folder whose lock this process holds
        using (var first = RunLock.TryAcquire(_root.FullName))
        {
            Assert.NotNull(first);

            // Then a second attempt (another open file, as another process would have) is refused
            Assert.Null(RunLock.TryAcquire(_root.FullName));
        }

        // And once released the lock can be taken again, and its file stays
        using var again = RunLock.TryAcquire(_root.FullName);
        Assert.NotNull(again);
        Assert.True(File.Exists(Path.Combine(_root.FullName, RunLock.FileName)));
    }

    [Fact]
    public void TryAcquire_AgainstAnotherProcess_IsRefused_UntilThatProcessIsKilled()
    {
        // Given another process holding an exclusive flock on the run's lock file (util-linux flock(1))
        var lockFile = Path.Combine(_root.FullName, RunLock.FileName);
        var info = new ProcessStartInfo("flock") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--exclusive", lockFile, "sh", "-c", "echo locked; exec sleep 60" })
        {
            info.ArgumentList.Add(arg);
        }

        using var holder = Process.Start(info)!;
        Assert.Equal("locked", holder.StandardOutput.ReadLine());

        // Then this process cannot take it
        Assert.Null(RunLock.TryAcquire(_root.FullName));

        // When the holder is killed (SIGKILL: no clean-up of its own)
        holder.Kill(entireProcessTree: true);
        holder.WaitForExit();

        // Then the kernel releases it (once the killed child that inherited the descriptor is gone too): no stale lock
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var taken = RunLock.TryAcquire(_root.FullName);
        while (taken is null && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
            taken = RunLock.TryAcquire(_root.FullName);
        }

        using (taken)
        {
            Assert.NotNull(taken);
        }
    }
}
