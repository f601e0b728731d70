using System.Buffers.Binary;

namespace SegAN.Reporting;

/// <summary>
/// Anti-aliased DejaVu Sans glyphs for printable ASCII, rasterised once (Fonts/make-glyphs.py) and embedded in
/// the assembly, so pictures get their text on any machine, with or without installed fonts. Besides ASCII it has
/// ± × ° µ ² ³ · – —; any other character draws as '?'.
/// </summary>
internal sealed class BitmapFont
{
    private readonly Dictionary<char, Glyph> _glyphs = [];

    private BitmapFont(byte[] data)
    {
        if (data.Length < 10 || data[0] != 'S' || data[1] != 'G' || data[2] != 'F' || data[3] != '2')
        {
            throw new InvalidDataException("embedded glyph table is not in SGF2 format");
        }

        Height = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(4));
        Ascent = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(6));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8));
        var offset = 10;
        for (var i = 0; i < count; i++)
        {
            var code = (char)BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset));
            var width = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset + 2));
            var advance = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset + 4));
            offset += 6;
            _glyphs[code] = new Glyph(width, advance, data.AsSpan(offset, width * Height).ToArray());
            offset += width * Height;
        }
    }

    /// <summary>12 px DejaVu Sans: tick labels, legends, table text.</summary>
    public static BitmapFont Small { get; } = Load("dejavu-sans-12.glyphs");

    /// <summary>16 px DejaVu Sans: titles.</summary>
    public static BitmapFont Large { get; } = Load("dejavu-sans-16.glyphs");

    /// <summary>Line height in pixels.</summary>
    public int Height { get; }

    /// <summary>Pixels from the top of a line to the baseline.</summary>
    public int Ascent { get; }

    /// <summary>Width of <paramref name="text"/> in pixels.</summary>
    public int Measure(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var width = 0;
        foreach (var c in text)
        {
            width += GlyphOf(c).Advance;
        }

        return width;
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    internal void Draw(RgbImage image, int x, int y, string text, Rgb colour) =>
        DrawGlyphs(image, text, colour, (pen, gx, gy) => (x + pen + gx - 1, y + gy)); // bitmap column 1 is the pen origin

    /// <summary>Draws <paramref name="text"/> rotated 90 degrees anticlockwise (reading bottom to top), top-left at (x, y).</summary>
    internal void DrawVertical(RgbImage image, int x, int y, string text, Rgb colour)
    {
        var bottom = y + Measure(text);
        DrawGlyphs(image, text, colour, (pen, gx, gy) => (x + gy, bottom - pen - gx + 1));
    }

    /// <summary>
    /// Blends each glyph's pixels in turn; <paramref name="place"/> maps the pen's advance along the text and a
    /// pixel of the glyph's bitmap (column, row) to the image, which is what tells horizontal from vertical text.
    /// </summary>
    private void DrawGlyphs(RgbImage image, string text, Rgb colour, Func<int, int, int, (int X, int Y)> place)
    {
        var pen = 0;
        foreach (var c in text)
        {
            var glyph = GlyphOf(c);
            for (var gy = 0; gy < Height; gy++)
            {
                for (var gx = 0; gx < glyph.Width; gx++)
                {
                    var alpha = glyph.Alpha[(gy * glyph.Width) + gx];
                    if (alpha != 0)
                    {
                        var (px, py) = place(pen, gx, gy);
                        image.Blend(px, py, colour, alpha / 255.0);
                    }
                }
            }

            pen += glyph.Advance;
        }
    }

    private Glyph GlyphOf(char c) => _glyphs.TryGetValue(c, out var glyph) ? glyph : _glyphs['?'];

    private static BitmapFont Load(string name)
    {
        var resource = $"SegAN.Reporting.Fonts.{name}";
        using var stream = typeof(BitmapFont).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from the SegAN assembly");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return new BitmapFont(memory.ToArray());
    }

    private sealed record Glyph(int Width, int Advance, byte[] Alpha);
}
