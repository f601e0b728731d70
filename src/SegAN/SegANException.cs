namespace SegAN;

/// <summary>
/// An error the user can fix: bad input, a missing file, an unavailable device. The message names the file or
/// value and the problem; the command line prints it on one line and exits with code 2.
/// </summary>
public class SegANException : Exception
{
    public SegANException()
    {
    }

    public SegANException(string message)
        : base(message)
    {
    }

    public SegANException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
