using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SegAN.Imaging;

namespace SegAN.Reporting;

/// <summary>
/// Encodes an <see cref="RgbImage"/> as a PNG (8-bit truecolour, no interlace; each row uses the Sub or Up
/// filter, whichever leaves smaller residuals), with zlib from the framework: no native dependency.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The PNG file's bytes.</summary>
    public static byte[] Encode(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var output = new MemoryStream();
        output.Write(Signature);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        header[8] = 8; // bits per channel
        header[9] = 2; // truecolour RGB
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "IDAT", Compress(image));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="image"/> to <paramref name="path"/> atomically (temp file, then move).</summary>
    public static void Write(string path, RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Encode(image);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    private static byte[] Compress(RgbImage image)
    {
        var stride = image.Width * 3;
        var pixels = image.Pixels;
        var filtered = new byte[image.Height * (stride + 1)];
        var sub = new byte[stride];
        var up = new byte[stride];
        for (var y = 0; y < image.Height; y++)
        {
            var row = pixels.AsSpan(y * stride, stride);
            long subCost = 0, upCost = 0;
            for (var i = 0; i < stride; i++)
            {
                sub[i] = (byte)(row[i] - (i >= 3 ? row[i - 3] : 0));
                up[i] = (byte)(row[i] - (y > 0 ? pixels[((y - 1) * stride) + i] : 0));
                subCost += (sbyte)sub[i] < 0 ? -(sbyte)sub[i] : sub[i];
                upCost += (sbyte)up[i] < 0 ? -(sbyte)up[i] : up[i];
            }

            var offset = y * (stride + 1);
            filtered[offset] = subCost <= upCost ? (byte)1 : (byte)2;
            (subCost <= upCost ? sub : up).CopyTo(filtered.AsSpan(offset + 1));
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(filtered);
        }

        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute(data, Crc32.Compute(typeBytes)));
        output.Write(crc);
    }
}
