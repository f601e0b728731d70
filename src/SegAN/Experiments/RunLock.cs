namespace SegAN.Experiments;

/// <summary>
/// The lock a process holds on an experiment's run folder while it trains or evaluates the run, so that array tasks
/// (or a task and a whole-experiment process) sharing one experiment folder never work on the same run at once.
/// It is an exclusive <c>flock</c> on <c>run.lock</c> (what .NET takes for <see cref="FileShare.None"/> on Linux):
/// the kernel drops it when the process ends, however it ends (SIGKILL, a node's task killed by Slurm), so a
/// requeued task never finds a stale lock. The file itself stays: deleting it while held would let a second process
/// lock a new file of the same name. On a shared file system the lock is as good as its <c>flock</c> (NFSv4 and
/// Lustre honour it across nodes).
/// </summary>
internal sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name in a run folder.</summary>
    public const string FileName = "run.lock";

    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock of <paramref name="folder"/> (which must exist) without waiting; null when another holder has it.</summary>
    public static RunLock? TryAcquire(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var path = Path.Combine(folder, FileName);
        try
        {
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _stream.Dispose();
}
