namespace SegAN.Server;

/// <summary>A request the server refuses: the HTTP status and the message sent back as <c>{"error": ...}</c>.</summary>
internal sealed class ServerException(int status, string message, int? retryAfterSeconds = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>Seconds a client should wait before retrying (sent as Retry-After), for 503.</summary>
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;
}
