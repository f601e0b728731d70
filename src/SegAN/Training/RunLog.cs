using System.Globalization;
using System.Text;

namespace SegAN.Training;

/// <summary>
/// <c>train.log</c>: one line per event, each prefixed with its UTC time. Ranks other than 0 write to nothing.
/// UTF-8 without a byte-order mark, appended to on resume.
/// </summary>
internal sealed class RunLog : IDisposable
{
    private readonly StreamWriter _writer;

    private RunLog(StreamWriter writer) => _writer = writer;

    public static RunLog Open(string path, bool write) => new(
        write ? new StreamWriter(path, append: true, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true } : new StreamWriter(Stream.Null));

    public void Line(string line) => _writer.WriteLine($"{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} {line}");

    public void Dispose() => _writer.Dispose();
}
