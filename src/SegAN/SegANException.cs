namespace SegAN;

/// <summary>
/// An error the user can fix: bad input, a missing file, an unavailable device. The message names the file or
/// value and the problem; the command line prints it on one line and exits with code 2.
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
}
