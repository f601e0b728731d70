namespace SegAN.Server;

/// <summary>
/// Image, case and model IDs are opaque names, never paths: 1 to 128 letters, digits, '.', '_' or '-', starting with a
/// letter or digit (so never '.', '..' or a hidden file), compared case-sensitively.
/// </summary>
internal static class ImageId
{
    public const int MaxLength = 128;

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength }
        && char.IsAsciiLetterOrDigit(id[0])
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
        && !id.Contains("..", StringComparison.Ordinal);

    /// <summary>The ID, or a 400 naming the parameter and the value.</summary>
    public static string Require(string? id, string parameter) =>
        id is null or ""
            ? throw new ServerException(400, $"missing the '{parameter}' query parameter")
            : IsValid(id) ? id : throw new ServerException(400, $"{parameter} '{Shorten(id)}' is not a valid ID: use 1 to {MaxLength} letters, digits, '.', '_' or '-', starting with a letter or digit");

    private static string Shorten(string id) => id.Length <= MaxLength ? id : id[..MaxLength] + "...";
}
