using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SegAN.Tests.Export;

namespace SegAN.Tests.Server;

/// <summary>
/// Requests as 3D Slicer's MONAI Label client puts them on the wire (its fixed boundary, CRLF lines, a <c>params</c>
/// part without a Content-Type, the file part named after the client's local path), and a second opinion on our
/// multipart answers from Python's standard library.
/// </summary>
internal static class SlicerWire
{
    public const string Boundary = "----------lImIt_of_THE_fIle_eW_$";

    private static readonly JsonSerializerOptions CaseInsensitive = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The body and Content-Type of Slicer's multipart request.</summary>
    public static (byte[] Body, string ContentType) Multipart(string? parameters, string? fileField = null, string? fileName = null, byte[]? file = null)
    {
        using var body = new MemoryStream();
        void Line(string text) => body.Write(Encoding.UTF8.GetBytes(text + "\r\n"));
        if (parameters is not null)
        {
            Line("--" + Boundary);
            Line("Content-Disposition: form-data; name=\"params\"");
            Line(string.Empty);
            Line(parameters);
        }

        if (fileField is not null)
        {
            Line("--" + Boundary);
            Line($"Content-Disposition: form-data; name=\"{fileField}\"; filename=\"{fileName}\"");
            Line("Content-Type: application/octet-stream");
            Line(string.Empty);
            body.Write(file);
            Line(string.Empty);
        }

        Line("--" + Boundary + "--");
        return (body.ToArray(), "multipart/form-data; boundary=" + Boundary);
    }

    public static HttpRequestMessage Request(HttpMethod method, string url, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        content.Headers.ContentLength = body.Length;
        return new HttpRequestMessage(method, url) { Content = content };
    }

    /// <summary>Slicer's upload: <c>PUT /datastore/?image=ID</c> with the file part only.</summary>
    public static HttpRequestMessage Upload(string quotedId, string localPath, byte[] file)
    {
        var (body, type) = Multipart(null, "file", localPath, file);
        return Request(HttpMethod.Put, $"/datastore/?image={quotedId}", body, type);
    }

    /// <summary>Slicer's inference: <c>POST /infer/MODEL?image=ID</c> with <c>params</c> only.</summary>
    public static HttpRequestMessage Infer(string model, string quotedId, string suffix = "")
    {
        var (body, type) = Multipart("{}");
        return Request(HttpMethod.Post, $"/infer/{model}?image={quotedId}{suffix}", body, type);
    }

    /// <summary>The parts of a multipart answer as Python's email package (and, where Python still has it, the cgi module Slicer's client uses) reads them.</summary>
    public static IReadOnlyList<ParsedPart> ParseWithPython(string contentType, byte[] body, string folder)
    {
        var bodyFile = Path.Combine(folder, $"answer-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(bodyFile, body);
        const string script = """
            import hashlib, json, sys, warnings
            import email, email.policy
            content_type, path = sys.argv[1], sys.argv[2]
            body = open(path, 'rb').read()
            message = email.message_from_bytes(b'MIME-Version: 1.0\r\nContent-Type: ' + content_type.encode() + b'\r\n\r\n' + body, policy=email.policy.HTTP)
            assert message.is_multipart(), 'not multipart'
            parts = []
            for part in message.iter_parts():
                payload = part.get_payload(decode=True)
                parts.append({'name': part.get_param('name', header='content-disposition'), 'filename': part.get_filename(),
                              'sha256': hashlib.sha256(payload).hexdigest(), 'text': payload.decode('utf-8') if part.get_filename() is None else None})
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    import cgi, io
                headers = email.message_from_bytes(b'Content-Type: ' + content_type.encode() + b'\r\nContent-Length: ' + str(len(body)).encode() + b'\r\n\r\n')
                storage = cgi.FieldStorage(fp=io.BytesIO(body), environ={'REQUEST_METHOD': 'POST'}, headers=headers, keep_blank_values=True)
                for field in storage.list:
                    value = field.value if isinstance(field.value, bytes) else field.value.encode('utf-8')
                    parts.append({'name': 'cgi:' + field.name, 'filename': field.filename, 'sha256': hashlib.sha256(value).hexdigest(), 'text': None})
            except ImportError:
                parts.append({'name': 'cgi:missing', 'filename': None, 'sha256': '', 'text': sys.version})
            print(json.dumps(parts))
            """;
        var output = ExportTestModels.Python("email", "python3", script, contentType, bodyFile);
        return JsonSerializer.Deserialize<List<ParsedPart>>(output, CaseInsensitive)!;
    }

    public static string ContentType(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.ToString() ?? string.Empty;

    public static MediaTypeHeaderValue? Type(HttpResponseMessage response) => response.Content.Headers.ContentType;
}

/// <summary>One part of a multipart answer as Python parsed it.</summary>
internal sealed record ParsedPart(string Name, string? Filename, string Sha256, string? Text);
