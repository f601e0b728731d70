using System.Globalization;

namespace SegAN.Imaging;

/// <summary>
/// Writes a file all-or-nothing: to a temporary file in the same folder, then renamed over the target, so that a
/// failure (an exception, a full disk) never leaves a half-written file behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on a stream to a temporary file beside <paramref name="path"/> and renames it
    /// to <paramref name="path"/> (replacing it) when <paramref name="write"/> returns; deletes it otherwise.
    /// </summary>
    public static void Write(string path, Action<Stream> write) => WriteCore(path, write, overwrite: true);

    /// <summary>
    /// As <see cref="Write"/>, but only when <paramref name="path"/> does not exist yet: the rename refuses to
    /// replace a file, so of several processes creating the same file at once exactly one wins and the others see
    /// its content. Returns false (and writes nothing) when the file already existed.
    /// </summary>
    public static bool WriteNew(string path, Action<Stream> write) => WriteCore(path, write, overwrite: false);

    private static bool WriteCore(string path, Action<Stream> write, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new SegANException($"{path}: cannot write, folder {folder} does not exist");
        }

        var temp = System.IO.Path.Combine(
            folder,
            string.Create(CultureInfo.InvariantCulture, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp"));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: false);
            }

            if (!overwrite && File.Exists(full))
            {
                TryDelete(temp);
                return false;
            }

            File.Move(temp, full, overwrite);
            return true;
        }
        catch (IOException) when (!overwrite && File.Exists(full))
        {
            // Another process created it between the check and the rename.
            TryDelete(temp);
            return false;
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is UnauthorizedAccessException or IOException)
            {
                throw new SegANException($"{path}: cannot write: {e.Message}", e);
            }

            throw;
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a stray temp file we could not remove.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
