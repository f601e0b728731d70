using System.Globalization;

namespace SegAN.Imaging;

/// <summary>
/// Checks an output path before any work is done, so that a command given a path it cannot write fails at once
/// with one line naming the option and the path, and leaves nothing behind: a folder that is an existing file, a
/// path inside a virtual file system (<c>/proc</c>, <c>/sys</c>, <c>/dev</c>), a read-only or full disk, a missing
/// permission. Nothing is created: writing a small probe file in the nearest existing folder (then removing it)
/// is what proves the path writable.
/// </summary>
public static class OutputPath
{
    private static readonly string[] VirtualRoots = ["/proc", "/sys", "/dev"];

    /// <summary>
    /// Checks that the folder <paramref name="path"/> (named <paramref name="option"/> in the message: "run folder",
    /// or what the user typed) can be created and written; returns its full path. <paramref name="setting"/>, when
    /// given, is the setting the path comes from, which the exception names.
    /// </summary>
    public static string CheckFolder(string path, string option, Setting? setting = null) => About(setting, () =>
    {
        var full = Full(path, option);
        if (File.Exists(full))
        {
            throw new SegANException($"{option} {path}: is an existing file, not a folder");
        }

        Probe(NearestFolder(full, path, option), path, option);
        return full;
    });

    /// <summary>
    /// Checks that the file <paramref name="path"/> (named <paramref name="option"/> in the message) can be written in
    /// its folder; returns its full path. <paramref name="setting"/> as in <see cref="CheckFolder"/>.
    /// </summary>
    public static string CheckFile(string path, string option, Setting? setting = null) => About(setting, () =>
    {
        var full = Full(path, option);
        if (Directory.Exists(full))
        {
            throw new SegANException($"{option} {path}: is an existing folder, not a file");
        }

        var folder = Path.GetDirectoryName(full) ?? throw new SegANException($"{option} {path}: has no folder");
        Probe(NearestFolder(folder, path, option), path, option);
        return full;
    });

    /// <summary>
    /// <paramref name="path"/> with every symbolic link along it resolved (the file need not exist; its existing
    /// folders are resolved), so that two spellings of one file compare equal.
    /// </summary>
    public static string RealPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var full = Path.GetFullPath(path);
            var parent = Path.GetDirectoryName(full);
            if (parent is null)
            {
                return full;
            }

            var resolved = Path.Combine(RealPath(parent), Path.GetFileName(full));
            var info = new FileInfo(resolved);
            return info.LinkTarget is null ? resolved : RealPath(info.ResolveLinkTarget(returnFinalTarget: true)!.FullName);
        }
        catch (IOException e)
        {
            throw new SegANException($"{path}: cannot resolve: {e.Message}", e);
        }
    }

    // The check's errors, naming the setting the path comes from when there is one.
    private static string About(Setting? setting, Func<string> check)
    {
        try
        {
            return check();
        }
        catch (SegANException e) when (setting is { } s && e.Settings.Count == 0)
        {
            throw new SegANException([s], e.Message, e.InnerException);
        }
    }

    private static string Full(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SegANException($"{option} '{path}': not a valid path: {e.Message}", e);
        }

        if (VirtualRoots.Any(root => full == root || full.StartsWith(root + "/", StringComparison.Ordinal)))
        {
            throw new SegANException($"{option} {path}: is inside {VirtualRoots.First(root => full == root || full.StartsWith(root + "/", StringComparison.Ordinal))}, a virtual file system; choose a folder on a disk");
        }

        return full;
    }

    // The nearest folder that exists on the way up; an existing file on the way is an error.
    private static string NearestFolder(string full, string path, string option)
    {
        for (var dir = full; ; dir = Path.GetDirectoryName(dir)!)
        {
            if (Directory.Exists(dir))
            {
                return dir;
            }

            if (File.Exists(dir))
            {
                throw new SegANException($"{option} {path}: {dir} is a file, so no folder can be made inside it");
            }

            if (Path.GetDirectoryName(dir) is null)
            {
                throw new SegANException($"{option} {path}: no part of the path exists");
            }
        }
    }

    private static void Probe(string folder, string path, string option)
    {
        var probe = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $".segan-probe.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            stream.Write(new byte[4096]);
            stream.Flush(flushToDisk: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SegANException($"{option} {path}: cannot write in {folder}: permission denied ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new SegANException($"{option} {path}: cannot write in {folder}: {e.Message}", e);
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: DeleteOnClose removed it already in the usual case.
            }
        }
    }
}
