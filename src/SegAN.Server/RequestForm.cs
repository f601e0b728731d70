using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace SegAN.Server;

/// <summary>What a request's body carried: the <c>params</c> JSON and, for an upload, the stored temporary file.</summary>
internal sealed record RequestForm(JsonElement? Params, string? FileName, string? TempFile, string? Extension)
{
    private const int MaxParamsBytes = 1 << 20;

    /// <summary>
    /// Reads a body of MONAI Label's shapes: <c>multipart/form-data</c> with a <c>params</c> field (JSON text, with or
    /// without its own Content-Type) and, when <paramref name="fileDirectory"/> is given, a <c>file</c> part streamed to a
    /// hidden temporary file there; or a JSON body; or none. More than <paramref name="limit"/> bytes is a 413, a
    /// malformed or truncated body a 400; the temporary file is deleted on any error.
    /// </summary>
    public static async Task<RequestForm> Read(HttpRequest request, long limit, string? fileDirectory, CancellationToken cancellation)
    {
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType) || request.ContentLength == 0)
        {
            return fileDirectory is null ? new RequestForm(null, null, null, null) : throw new ServerException(400, "no 'file' part: send the image as multipart/form-data");
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            throw new ServerException(400, $"Content-Type '{contentType}' cannot be parsed");
        }

        if (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && fileDirectory is null)
        {
            return new RequestForm(ParseParams(await ReadText(request.Body, cancellation).ConfigureAwait(false)), null, null, null);
        }

        if (!mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ServerException(415, $"Content-Type '{mediaType.MediaType}': send multipart/form-data{(fileDirectory is null ? " or application/json" : string.Empty)}");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw new ServerException(400, "multipart/form-data without a boundary");
        }

        JsonElement? parameters = null;
        string? fileName = null, tempFile = null, extension = null;
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = limit };
            while (await reader.ReadNextSectionAsync(cancellation).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    throw new ServerException(400, "a multipart part without a Content-Disposition");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                var partFile = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                if (name == "params")
                {
                    parameters = ParseParams(await ReadText(section.Body, cancellation).ConfigureAwait(false));
                }
                else if (name == "file" && fileDirectory is not null && tempFile is null)
                {
                    fileName = Path.GetFileName((partFile ?? string.Empty).Replace('\\', '/'));
                    extension = ImageStore.UploadExtension(fileName);
                    tempFile = Path.Combine(fileDirectory, $".upload-{Guid.NewGuid():N}{extension}");
                    await using var output = new FileStream(tempFile, FileMode.CreateNew, FileAccess.Write);
                    await CopyLimited(section.Body, output, limit, cancellation).ConfigureAwait(false);
                }
                else
                {
                    // Other parts (a "label" for interactive models, unknown fields) are read and dropped.
                    await CopyLimited(section.Body, Stream.Null, limit, cancellation).ConfigureAwait(false);
                }
            }

            if (fileDirectory is not null && tempFile is null)
            {
                throw new ServerException(400, "no 'file' part: send the image as the multipart part named 'file'");
            }

            return new RequestForm(parameters, fileName, tempFile, extension);
        }
        catch (Exception e)
        {
            if (tempFile is not null)
            {
                File.Delete(tempFile);
            }

            throw BodyError(e, limit);
        }
    }

    /// <summary>What a client is told when reading its body failed: 413 over the limit, 400 when malformed.</summary>
    public static Exception BodyError(Exception e, long limit) => e switch
    {
        ServerException or OperationCanceledException => e,
        BadHttpRequestException bad => new ServerException(bad.StatusCode, bad.StatusCode == 413 ? TooLarge(limit).Message : $"bad request body: {bad.Message}"),
        InvalidDataException when e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) => TooLarge(limit),
        IOException or InvalidDataException => new ServerException(400, $"malformed multipart body: {e.Message}"),
        _ => e,
    };

    public static ServerException TooLarge(long limit) =>
        new(413, FormattableString.Invariant($"request body over the upload limit of {limit} bytes (segan serve --max-upload)"));

    public static async Task CopyLimited(Stream from, Stream to, long limit, CancellationToken cancellation)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw TooLarge(limit);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
        }
    }

    private static async Task<string> ReadText(Stream body, CancellationToken cancellation)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
        {
            if (memory.Length + read > MaxParamsBytes)
            {
                throw new ServerException(413, $"the params field is over {MaxParamsBytes} bytes");
            }

            memory.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(memory.GetBuffer(), 0, (int)memory.Length);
    }

    private static JsonElement? ParseParams(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new ServerException(400, $"params must be a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
        }
        catch (JsonException e)
        {
            throw new ServerException(400, $"params is not valid JSON: {e.Message}");
        }
    }
}
