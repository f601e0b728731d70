namespace SegAN;

/// <summary>
/// The one mapping from an exception to what a user reads: one line naming the path and the problem, and whether
/// the user can fix it (bad input or usage: exit code 2) or the work failed (exit code 1). The command line, the
/// batch predictor and a server share it, so that no stack trace ever reaches a user.
/// </summary>
public static class ErrorReport
{
    /// <summary>
    /// True for errors the user fixes by changing the input or the command: a <see cref="SegANException"/>, a
    /// missing file or folder, a permission refused. Everything else (a full disk, memory, a bug) is a failure.
    /// </summary>
    public static bool IsUserError(Exception e) => e is AggregateException { InnerExceptions.Count: > 0 } a
        ? IsUserError(a.InnerExceptions[0])
        : e is SegANException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or PathTooLongException;

    /// <summary>One line: the exception's own message (.NET's name the path), prefixed for the types whose message alone is unclear.</summary>
    public static string OneLine(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = e switch
        {
            SegANException => e.Message,
            UnauthorizedAccessException => "permission denied: " + e.Message,
            IOException io when IsDiskFull(io) => "disk full: " + e.Message,
            IOException => "I/O error: " + e.Message,
            OutOfMemoryException => "out of memory: the input or the options need more memory than this machine has (" + e.Message + ")",
            OverflowException or ArithmeticException => "a size or value overflowed (corrupt input or too large an option): " + e.Message,
            InvalidDataException => "corrupt data: " + e.Message,
            AggregateException { InnerExceptions.Count: > 0 } a => OneLine(a.InnerExceptions[0]),
            _ => $"{e.GetType().Name}: {e.Message}",
        };
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    // ENOSPC (28) and EDQUOT (122) on Linux; ERROR_DISK_FULL (112) and ERROR_HANDLE_DISK_FULL (39) on Windows.
    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 122 or 112 or 39;
}
