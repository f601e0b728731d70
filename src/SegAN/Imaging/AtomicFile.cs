using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace SegAN.Imaging;

/// <summary>
/// Writes a file all-or-nothing: to a temporary file in the same folder, then renamed over the target, so that a
/// failure (an exception, a full disk) never leaves a half-written file behind.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on a stream to a temporary file beside <paramref name="path"/> and renames it
    /// to <paramref name="path"/> (replacing it) when <paramref name="write"/> returns; deletes it otherwise.
    /// </summary>
    public static void Write(string path, Action<Stream> write) => WriteCore(path, write, overwrite: true, durable: false);

    /// <summary>
    /// As <see cref="Write"/>, and the content reaches the disk (fsync) before the rename, so that a power cut leaves
    /// the old file or the new one: for files a run cannot do without (<c>model.segan</c>, <c>last.ckpt</c>).
    /// </summary>
    public static void WriteDurably(string path, Action<Stream> write) => WriteCore(path, write, overwrite: true, durable: true);

    /// <summary>
    /// As <see cref="Write"/>, but only when <paramref name="path"/> does not exist yet: the final step (link(2) on Linux) refuses to
    /// replace a file, so of several processes creating the same file at once exactly one wins and the others see
    /// its content. Returns false (and writes nothing) when the file already existed.
    /// </summary>
    public static bool WriteNew(string path, Action<Stream> write) => WriteCore(path, write, overwrite: false, durable: false);

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark (JSON readers reject one), as <see cref="Write"/> does.</summary>
    public static void WriteText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream => stream.Write(NoBom.GetBytes(text)));
    }

    /// <summary>Writes <paramref name="bytes"/>, as <see cref="Write"/> does.</summary>
    public static void WriteBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    private static readonly UTF8Encoding NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static bool WriteCore(string path, Action<Stream> write, bool overwrite, bool durable)
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
                stream.Flush(flushToDisk: durable);
            }

            if (overwrite)
            {
                File.Move(temp, full, overwrite: true);
                return true;
            }

            var moved = MoveNoReplace(temp, full);
            TryDelete(temp);
            return moved;
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

    /// <summary>
    /// Gives <paramref name="temp"/> the name <paramref name="full"/> unless that exists, atomically: of several
    /// processes racing, exactly one wins. .NET's <c>File.Move(..., overwrite: false)</c> is not enough on Unix (it
    /// checks for the target, then renames over it); link(2) fails with EEXIST atomically, also on NFS. The caller
    /// removes <paramref name="temp"/>.
    /// </summary>
    private static bool MoveNoReplace(string temp, string full)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Windows' MoveFileEx without MOVEFILE_REPLACE_EXISTING is atomic; elsewhere this is the best .NET offers.
            try
            {
                File.Move(temp, full, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(full))
            {
                return false;
            }
        }

        if (Link(Utf8(temp), Utf8(full)) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == LinuxEexist)
        {
            return false;
        }

        throw new IOException(string.Create(CultureInfo.InvariantCulture, $"link({temp}, {full}) failed with errno {error}"));
    }

    private const int LinuxEexist = 17;

    private static byte[] Utf8(string path) => Encoding.UTF8.GetBytes(path + "\0");

    [DllImport("libc.so.6", EntryPoint = "link", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Link(byte[] existing, byte[] created);

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
