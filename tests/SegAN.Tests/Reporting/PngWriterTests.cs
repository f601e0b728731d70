using System.IO.Hashing;
using SegAN.Reporting;
using StbImageSharp;

namespace SegAN.Tests.Reporting;

public sealed class PngWriterTests
{
    [Fact]
    public void Encode_RoundTripsThroughStbImage_PixelForPixel()
    {
        // Given an image with every kind of pixel: random noise, flat areas, gradients
        var random = new Random(3);
        var image = new RgbImage(37, 23, Rgb.White);
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                image[x, y] = y < 8 ? new Rgb((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256))
                    : y < 16 ? new Rgb((byte)(x * 7), (byte)(y * 11), 40) : Rgb.Blue;
            }
        }

        // When encoding and decoding with an independent decoder
        var decoded = ImageResult.FromMemory(PngWriter.Encode(image), ColorComponents.RedGreenBlue);

        // Then size and every byte agree
        Assert.Equal(image.Width, decoded.Width);
        Assert.Equal(image.Height, decoded.Height);
        Assert.Equal(image.Pixels, decoded.Data);
    }

    [Fact]
    public void Encode_WritesSignatureAndChunksWithValidCrcs()
    {
        // The chunks are walked by hand and their CRCs recomputed, so a decoder that forgives a bad CRC cannot hide one
        var bytes = PngWriter.Encode(new RgbImage(5, 4, Rgb.Red));

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        var offset = 8;
        var types = new List<string>();
        while (offset < bytes.Length)
        {
            var length = (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
            var typeAndData = bytes.AsSpan(offset + 4, 4 + length);
            var stored = (uint)((bytes[offset + 8 + length] << 24) | (bytes[offset + 9 + length] << 16) | (bytes[offset + 10 + length] << 8) | bytes[offset + 11 + length]);
            Assert.Equal(Crc32.HashToUInt32(typeAndData), stored);
            types.Add(System.Text.Encoding.ASCII.GetString(typeAndData[..4]));
            offset += 12 + length;
        }

        Assert.Equal(["IHDR", "IDAT", "IEND"], types);
    }

    [Fact]
    public void Write_CreatesTheFileAtomically_LeavingNoTempFile()
    {
        var dir = Directory.CreateTempSubdirectory("segan-png-").FullName;
        try
        {
            var path = Path.Combine(dir, "a.png");
            PngWriter.Write(path, new RgbImage(3, 2, Rgb.Black));
            PngWriter.Write(path, new RgbImage(4, 2, Rgb.Black));
            Assert.Equal(4, ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue).Width);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
