using System.Security.Cryptography;
using System.Text;

namespace SegAN.Server;

/// <summary>
/// The body of an inference answer as MONAI Label sends it: <c>multipart/form-data</c> with a <c>params</c> part (JSON)
/// and an <c>image</c> part carrying the label map's file. Built whole, so it goes out with a Content-Length and
/// without chunked encoding (Slicer's client parses the raw response).
/// </summary>
internal static class MultipartReply
{
    public static (string ContentType, byte[] Body) Build(byte[] parameters, string fileName, byte[] file)
    {
        var boundary = "segan-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var body = new MemoryStream(file.Length + parameters.Length + 512);
        void Text(string line) => body.Write(Encoding.ASCII.GetBytes(line + "\r\n"));

        Text("--" + boundary);
        Text("Content-Disposition: form-data; name=\"params\"");
        Text("Content-Type: application/json");
        Text(string.Empty);
        body.Write(parameters);
        Text(string.Empty);
        Text("--" + boundary);
        Text($"Content-Disposition: form-data; name=\"image\"; filename=\"{fileName}\"");
        Text("Content-Type: application/octet-stream");
        Text(string.Empty);
        body.Write(file);
        Text(string.Empty);
        Text("--" + boundary + "--");
        return ($"multipart/form-data; boundary={boundary}", body.ToArray());
    }
}
