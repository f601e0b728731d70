namespace SegAN.Cli;

/// <summary>Process exit codes shared by every command.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The work ran and failed (a failed self-check, a case that could not be processed).</summary>
    public const int Failed = 1;

    /// <summary>Bad input: a usage error, a missing or malformed file, an unavailable device.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl-C (128 + SIGINT), after saving what could be saved (train: a checkpoint).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (128 + SIGTERM; Slurm and Kubernetes send it before killing a job), after saving what could be saved, as for Ctrl-C.</summary>
    public const int Terminated = 143;
}
