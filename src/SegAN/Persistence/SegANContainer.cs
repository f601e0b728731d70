using System.Text;
using SegAN.Imaging;

namespace SegAN.Persistence;

/// <summary>
/// The small binary container of <c>model.segan</c> and <c>last.ckpt</c>: ASCII "SEGAN", one kind byte ('M' model,
/// 'C' checkpoint), a little-endian int32 format version, an int32 header length, the UTF-8 JSON header, then the
/// payload (TorchSharp state dictionaries). Written with <see cref="AtomicFile"/>.
/// </summary>
internal static class SegANContainer
{
    private static readonly byte[] Magic = "SEGAN"u8.ToArray();

    /// <summary>Writes the file atomically and durably (<see cref="AtomicFile.WriteDurably"/>), creating its folder.</summary>
    public static void Write(string path, char kind, int version, string headerJson, Action<BinaryWriter> payload)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteDurably(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            var header = Encoding.UTF8.GetBytes(headerJson);
            writer.Write(Magic);
            writer.Write((byte)kind);
            writer.Write(version);
            writer.Write(header.Length);
            writer.Write(header);
            payload(writer);
            writer.Flush();
        });
    }

    /// <summary>
    /// Opens the file, checks magic, kind and version, and returns the header and a reader positioned at the payload.
    /// </summary>
    public static (string HeaderJson, BinaryReader Payload) Open(string path, char kind, int maxVersion, string what)
    {
        if (!File.Exists(path))
        {
            throw new SegANException($"{path}: {what} not found.");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: false);
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new SegANException($"{path}: not a SegAN.NET file (missing the SEGAN signature).");
            }

            var k = (char)reader.ReadByte();
            if (k != kind)
            {
                throw new SegANException($"{path}: this is a SegAN.NET {(k == 'M' ? "model" : k == 'C' ? "checkpoint" : "file of unknown kind")}, not a {what}.");
            }

            var version = reader.ReadInt32();
            if (version < 1 || version > maxVersion)
            {
                throw new SegANException($"{path}: {what} format version {version} is not supported (this build reads 1..{maxVersion}); update SegAN.NET.");
            }

            var length = reader.ReadInt32();
            if (length < 2 || length > stream.Length - stream.Position)
            {
                throw new SegANException($"{path}: truncated or corrupt {what} header.");
            }

            return (Encoding.UTF8.GetString(reader.ReadBytes(length)), reader);
        }
        catch (EndOfStreamException)
        {
            reader.Dispose();
            throw new SegANException($"{path}: truncated {what}.");
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Writes a length-prefixed blob.</summary>
    public static void WriteBlob(BinaryWriter writer, Action<Stream> write)
    {
        using var memory = new MemoryStream();
        write(memory);

        // TorchSharp's Module.save closes the stream; ToArray still works on a closed MemoryStream.
        var bytes = memory.ToArray();
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Reads a length-prefixed blob into memory.</summary>
    public static MemoryStream ReadBlob(BinaryReader reader)
    {
        var length = reader.ReadInt64();
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new EndOfStreamException();
        }

        return new MemoryStream(reader.ReadBytes((int)length), writable: false);
    }
}
