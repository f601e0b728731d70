using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using SegAN.Imaging;

namespace SegAN.Tests.Imaging;

public sealed class PngImageTests
{
    /// <summary>A minimal 8-bit PNG encoder (filter 0 rows, zlib IDAT), written here so the tests do not trust the reader's library.</summary>
    internal static byte[] Png(int width, int height, int colourType, byte[] pixels, byte[]? palette = null)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        (ihdr[8], ihdr[9]) = (8, (byte)colourType);
        Chunk(file, "IHDR", ihdr);
        if (palette is not null)
        {
            Chunk(file, "PLTE", palette);
        }

        var perPixel = colourType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };
        using var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0);
            raw.Write(pixels, y * width * perPixel, width * perPixel);
        }

        using var z = new MemoryStream();
        using (var zlib = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw.ToArray());
        }

        Chunk(file, "IDAT", z.ToArray());
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header.AsSpan(4));
        s.Write(header);
        s.Write(data);
        var crcInput = new byte[4 + data.Length];
        header.AsSpan(4).CopyTo(crcInput);
        data.CopyTo(crcInput, 4);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(crcInput));
        s.Write(crc);
    }

    private static string Save(TempDir dir, string name, byte[] png)
    {
        var path = dir.File(name);
        File.WriteAllBytes(path, png);
        return path;
    }

    [Fact]
    public void ReadChannels_Rgb_GivesThreeWxHx1Volumes()
    {
        // Given a 3x2 RGB picture where pixel (x, y) = (10x + y, 100 + x, 200 + y)
        using var dir = new TempDir();
        var pixels = new List<byte>();
        for (var y = 0; y < 2; y++)
        {
            for (var x = 0; x < 3; x++)
            {
                pixels.AddRange([(byte)((10 * x) + y), (byte)(100 + x), (byte)(200 + y)]);
            }
        }

        var path = Save(dir, "lesion.png", Png(3, 2, 2, [.. pixels]));

        // When its channels are read
        var channels = PngImage.ReadChannels(path);

        // Then each is 3x2x1, x along the row, y down the rows
        Assert.Equal(3, channels.Length);
        Assert.Equal([3, 2, 1], channels[0].Geometry.Shape);
        Assert.Equal(21f, channels[0][2, 1, 0]);
        Assert.Equal(102f, channels[1][2, 1, 0]);
        Assert.Equal(201f, channels[2][0, 1, 0]);
        Assert.Equal([1.0, 1, 1], channels[0].Geometry.Spacing);
    }

    [Fact]
    public void ReadChannels_Gray_GivesOneVolume()
    {
        using var dir = new TempDir();
        var path = Save(dir, "gray.png", Png(2, 2, 0, [0, 50, 100, 255]));

        var channels = PngImage.ReadChannels(path);

        Assert.Single(channels);
        Assert.Equal([0f, 50, 100, 255], channels[0].Data);
    }

    [Fact]
    public void ReadMask_Binary255_BecomesOne()
    {
        using var dir = new TempDir();
        var path = Save(dir, "mask.png", Png(2, 2, 0, [0, 255, 255, 0]));

        Assert.Equal([0f, 1, 1, 0], PngImage.ReadMask(path).Data);
    }

    [Fact]
    public void ReadMask_GrayLabels_AreKept()
    {
        using var dir = new TempDir();
        var path = Save(dir, "labels.png", Png(2, 2, 0, [0, 1, 2, 4]));

        Assert.Equal([0f, 1, 2, 4], PngImage.ReadMask(path).Data);
    }

    [Fact]
    public void ReadMask_Indexed_GivesPaletteIndices()
    {
        // Given a palette PNG (black, red, green) with indices 2, 0, 1, 1
        using var dir = new TempDir();
        var path = Save(dir, "indexed.png", Png(2, 2, 3, [2, 0, 1, 1], [0, 0, 0, 255, 0, 0, 0, 255, 0]));

        // When read as a mask, then the indices come back, not the colours
        Assert.Equal([2f, 0, 1, 1], PngImage.ReadMask(path).Data);
    }

    [Fact]
    public void ReadMask_ColourPixels_IsAnError()
    {
        using var dir = new TempDir();
        var path = Save(dir, "colour.png", Png(1, 1, 2, [255, 0, 0]));

        var e = Assert.Throws<SegANException>(() => PngImage.ReadMask(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a png at all, just text that is long enough")]
    [InlineData("")]
    public void Read_NotPng_IsAnErrorNamingTheFile(string content)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.png");
        File.WriteAllText(path, content);

        var e = Assert.Throws<SegANException>(() => PngImage.ReadChannels(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CorruptPixelData_IsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        var png = Png(4, 4, 0, new byte[16]);
        var path = Save(dir, "cut.png", png[..45]);

        var e = Assert.Throws<SegANException>(() => PngImage.ReadMask(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }
}
