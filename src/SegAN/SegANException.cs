namespace SegAN;

/// <summary>
/// An error the user can fix: bad input, a missing file, an unavailable device. The message names the file or
/// value and the problem in the library's concepts ("batch size 0 must be at least 1"); when the error is about
/// settings, <see cref="Settings"/> names them so that a front end can say which of its options they are (the
/// command line prints "--batch: batch size 0 must be at least 1" on one line and exits with code 2).
/// </summary>
public class SegANException : Exception
{
    /// <summary>An error without a message.</summary>
    public SegANException()
    {
    }

    /// <summary>An error a user can act on; <paramref name="message"/> names the file or value and the problem.</summary>
    public SegANException(string message)
        : base(message)
    {
    }

    /// <summary>As the message-only constructor, with the error that caused it.</summary>
    public SegANException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error about <paramref name="setting"/>; <paramref name="message"/> names its concept and value.</summary>
    public SegANException(Setting setting, string message)
        : base(message) => Settings = [setting];

    /// <summary>An error about several settings together (two that disagree, options that differ from a run's).</summary>
    public SegANException(IReadOnlyList<Setting> settings, string message, Exception? innerException = null)
        : base(message, innerException) => Settings = settings ?? [];

    /// <summary>The settings the error is about, in the order the message names them; empty when none.</summary>
    public IReadOnlyList<Setting> Settings { get; } = [];
}
