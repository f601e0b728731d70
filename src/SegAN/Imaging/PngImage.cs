using System.Buffers.Binary;
using System.Globalization;
using StbImageSharp;

namespace SegAN.Imaging;

/// <summary>
/// 2D image/mask pairs stored as PNG (skin-lesion datasets): images as one <see cref="Volume"/> per colour
/// channel, masks as one label volume. A W x H picture becomes a W x H x 1 volume with spacing 1, x along a row
/// (left to right) and y down the rows (top to bottom).
/// </summary>
public static class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Reads a grayscale or colour PNG: one volume for gray, three (R, G, B) for colour; alpha is dropped. Values
    /// are 0..255 (16-bit files are reduced to 8 bits).
    /// </summary>
    public static Volume[] ReadChannels(string path)
    {
        var bytes = ReadBytes(path);
        var colour = ColourType(bytes, path);
        var gray = colour is 0 or 4 || (colour == 3 && PaletteIsGray(bytes, path));
        var image = Decode(bytes, gray ? ColorComponents.Grey : ColorComponents.RedGreenBlue, path);
        var channels = gray ? 1 : 3;
        var volumes = new Volume[channels];
        for (var c = 0; c < channels; c++)
        {
            var data = new float[image.Width * image.Height];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = image.Data[(i * channels) + c];
            }

            volumes[c] = new Volume(data, ImageGeometry.FromSpacing([image.Width, image.Height, 1], [1, 1, 1]));
        }

        return volumes;
    }

    /// <summary>
    /// Reads a mask PNG: a binary mask (only 0 and 255) becomes 0/1; an indexed (palette) PNG gives each pixel's
    /// palette index; a grayscale PNG with other values keeps them (label values). A colour mask whose pixels are
    /// not gray is an error: there is no single label per colour to assume.
    /// </summary>
    public static Volume ReadMask(string path)
    {
        var bytes = ReadBytes(path);
        var colour = ColourType(bytes, path);
        float[] data;
        int width, height;
        if (colour == 3)
        {
            // Indexed: the decoder expands the palette, so map each colour back to its index.
            var palette = Palette(bytes, path);
            var image = Decode(bytes, ColorComponents.RedGreenBlueAlpha, path);
            (width, height) = (image.Width, image.Height);
            var lookup = new Dictionary<int, int>();
            for (var k = palette.Count - 1; k >= 0; k--)
            {
                lookup[palette[k]] = k; // the first index wins for a repeated colour
            }

            data = new float[width * height];
            for (var i = 0; i < data.Length; i++)
            {
                var rgb = (image.Data[4 * i] << 16) | (image.Data[(4 * i) + 1] << 8) | image.Data[(4 * i) + 2];
                data[i] = lookup.TryGetValue(rgb, out var index)
                    ? index
                    : throw new SegANException($"{path}: pixel {i.ToString(CultureInfo.InvariantCulture)} has a colour missing from the palette");
            }

            return new Volume(data, ImageGeometry.FromSpacing([width, height, 1], [1, 1, 1]));
        }

        var rgbImage = Decode(bytes, ColorComponents.RedGreenBlue, path);
        (width, height) = (rgbImage.Width, rgbImage.Height);
        data = new float[width * height];
        var binary = true;
        for (var i = 0; i < data.Length; i++)
        {
            var (r, g, b) = (rgbImage.Data[3 * i], rgbImage.Data[(3 * i) + 1], rgbImage.Data[(3 * i) + 2]);
            if (r != g || g != b)
            {
                throw new SegANException($"{path}: a colour mask (pixel {i.ToString(CultureInfo.InvariantCulture)} is not gray); save masks as grayscale or indexed PNG");
            }

            data[i] = r;
            binary &= r is 0 or 255;
        }

        if (binary)
        {
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = data[i] > 0 ? 1 : 0;
            }
        }

        return new Volume(data, ImageGeometry.FromSpacing([width, height, 1], [1, 1, 1]));
    }

    private static byte[] ReadBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SegANException($"{path}: file not found");
        }

        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (!file.CanSeek || file.Length == 0)
            {
                throw new SegANException($"{path}: empty, or not a regular file; not a PNG file");
            }

            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegANException($"{path}: cannot read: {e.Message}", e);
        }

        if (bytes.Length < 33 || !bytes.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new SegANException($"{path}: not a PNG file (bad signature)");
        }

        return bytes;
    }

    /// <summary>The IHDR colour type: 0 gray, 2 RGB, 3 indexed, 4 gray+alpha, 6 RGBA.</summary>
    private static int ColourType(byte[] bytes, string path)
    {
        // IHDR is the first chunk: length(4) "IHDR"(4) width(4) height(4) depth(1) colour(1)...
        if (bytes[12] != 'I' || bytes[13] != 'H' || bytes[14] != 'D' || bytes[15] != 'R')
        {
            throw new SegANException($"{path}: corrupt PNG (no IHDR chunk first)");
        }

        // Size before decoding: the picture's pixels (times 4 bytes, RGBA at most) against the ceiling and what
        // the compressed stream can inflate to.
        var width = (uint)BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
        var height = (uint)BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        var pixels = ImageLimits.CheckVoxels(path, [width, height], "PNG size");
        if (ImageLimits.Bytes(path, bytes.LongLength, NiftiFile.MaxDeflateRatio) < pixels / 8)
        {
            throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"{path}: corrupt PNG: {width}x{height} pixels cannot come from {bytes.Length} bytes"));
        }

        return bytes[25];
    }

    /// <summary>The PLTE chunk's colours as 0xRRGGBB.</summary>
    private static List<int> Palette(byte[] bytes, string path)
    {
        var pos = 8;
        while (pos + 8 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            if (length < 0 || pos + 12 + (long)length > bytes.Length)
            {
                break;
            }

            if (bytes[pos + 4] == 'P' && bytes[pos + 5] == 'L' && bytes[pos + 6] == 'T' && bytes[pos + 7] == 'E')
            {
                var colours = new List<int>(length / 3);
                for (var k = 0; k + 2 < length; k += 3)
                {
                    var o = pos + 8 + k;
                    colours.Add((bytes[o] << 16) | (bytes[o + 1] << 8) | bytes[o + 2]);
                }

                return colours;
            }

            pos += 12 + length;
        }

        throw new SegANException($"{path}: corrupt indexed PNG (no PLTE chunk)");
    }

    private static bool PaletteIsGray(byte[] bytes, string path) =>
        Palette(bytes, path).All(c => ((c >> 16) & 0xFF) == ((c >> 8) & 0xFF) && ((c >> 8) & 0xFF) == (c & 0xFF));

    private static ImageResult Decode(byte[] bytes, ColorComponents components, string path)
    {
        try
        {
            return ImageResult.FromMemory(bytes, components);
        }
#pragma warning disable CA1031 // The decoder throws plain Exception for corrupt data; any of them means "bad file".
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new SegANException($"{path}: corrupt PNG: {e.Message}", e);
        }
    }
}
