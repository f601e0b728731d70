using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SegAN.Imaging;
using SegAN.Persistence;

namespace SegAN.Training;

/// <summary>
/// The files of one run folder (nnU-Net's <c>fold_X/</c>): <c>options.json</c>, <c>model.segan</c>,
/// <c>last.ckpt</c>, <c>metrics.jsonl</c> and <c>train.log</c>, and the checks made before a run starts in it.
/// </summary>
internal sealed class RunFolder(string folder)
{
    /// <summary>The run folder, absolute.</summary>
    public string Path { get; } = System.IO.Path.GetFullPath(folder);

    public string CheckpointPath => File(Checkpoint.FileName);

    public string ModelPath => File(ModelFile.FileName);

    public string MetricsPath => File(MetricsLog.FileName);

    public string LogPath => File(Trainer.LogFileName);

    public string OptionsPath => File(Trainer.OptionsFileName);

    // The files whose presence means the folder holds a run (a killed run may have only its log and metrics).
    private static readonly string[] RunFiles = [Checkpoint.FileName, ModelFile.FileName, MetricsLog.FileName, Trainer.LogFileName, Trainer.OptionsFileName];

    /// <summary>
    /// Checks that a new run finds no run in the folder and a resumed one finds its checkpoint, then creates the
    /// folder and removes temporary files that killed processes left.
    /// </summary>
    public void Prepare(bool resume)
    {
        OutputPath.CheckFolder(Path, "run folder", Setting.Output);
        var held = RunFiles.Where(name => System.IO.File.Exists(File(name))).ToList();
        if (!resume && held.Count > 0)
        {
            throw new SegANException([Setting.Resume, Setting.Output], $"{Path}: the run folder already holds a run ({string.Join(", ", held)}); resume it, or choose another output folder.");
        }

        if (resume && !System.IO.File.Exists(CheckpointPath))
        {
            throw new SegANException(held.Count > 0
                ? $"{CheckpointPath}: nothing to resume: the run in {Path} stopped before its first checkpoint ({string.Join(", ", held)} only); remove the folder or choose another output folder to start again."
                : $"{CheckpointPath}: nothing to resume (no checkpoint in the run folder).");
        }

        Directory.CreateDirectory(Path);
        RemoveStaleTemporaries(Path);
    }

    /// <summary>Writes <c>options.json</c> when <paramref name="write"/> (on rank 0).</summary>
    public void WriteOptions(TrainOptions options, bool write)
    {
        if (write)
        {
            AtomicFile.WriteText(OptionsPath, JsonSerializer.Serialize(options, JsonDefaults.Indented));
        }
    }

    private string File(string name) => System.IO.Path.Combine(Path, name);

    // A process killed while writing leaves its temporary file (".last.ckpt.PID.tmp", never under a final name):
    // those of processes that no longer run (or of this one's earlier use of the PID) are removed.
    private static void RemoveStaleTemporaries(string folder)
    {
        foreach (var temp in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            var parts = System.IO.Path.GetFileName(temp).Split('.');
            var owner = parts.Length >= 3 && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : (int?)null;
            if (owner is { } p && p != Environment.ProcessId && IsRunning(p))
            {
                continue;
            }

            try
            {
                System.IO.File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SegANException($"{temp}: cannot remove a stale temporary file: {e.Message}", e);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
