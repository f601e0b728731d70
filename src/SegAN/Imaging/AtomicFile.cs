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
    public static void Write(string path, Action<Stream> write)
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

            File.Move(temp, full, overwrite: true);
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
