namespace SegAN.Reporting;

/// <summary>
/// An 8-bit RGB raster (row 0 at the top, 3 bytes per pixel) with the few drawing operations the report
/// pictures need: rectangles, thick lines, text. Drawing outside the image is clipped.
/// </summary>
internal sealed class RgbImage
{
    /// <summary>A <paramref name="width"/> x <paramref name="height"/> image filled with <paramref name="background"/>.</summary>
    public RgbImage(int width, int height, Rgb background)
    {
        if (width < 1 || width > 1 << 14)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "width must be between 1 and 16384 pixels");
        }

        if (height < 1 || height > 1 << 14)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, "height must be between 1 and 16384 pixels");
        }

        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        FillRectangle(0, 0, width, height, background);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>R, G, B bytes, row by row from the top.</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixel at (x, y).</summary>
    public Rgb this[int x, int y]
    {
        get
        {
            var i = ((y * Width) + x) * 3;
            return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }

        set => Set(x, y, value);
    }

    /// <summary>Sets pixel (x, y); points outside the image are ignored.</summary>
    public void Set(int x, int y, Rgb colour)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            return;
        }

        var i = ((y * Width) + x) * 3;
        Pixels[i] = colour.R;
        Pixels[i + 1] = colour.G;
        Pixels[i + 2] = colour.B;
    }

    /// <summary>Paints <paramref name="colour"/> over a pixel with opacity <paramref name="alpha"/> (0..1).</summary>
    public void Blend(int x, int y, Rgb colour, double alpha)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            return;
        }

        Set(x, y, this[x, y].Mix(colour, alpha));
    }

    /// <summary>Fills the rectangle [x, x + w) x [y, y + h).</summary>
    public void FillRectangle(int x, int y, int w, int h, Rgb colour)
    {
        for (var yy = Math.Max(0, y); yy < Math.Min(Height, y + h); yy++)
        {
            for (var xx = Math.Max(0, x); xx < Math.Min(Width, x + w); xx++)
            {
                Set(xx, yy, colour);
            }
        }
    }

    /// <summary>Outlines the rectangle [x, x + w) x [y, y + h) with a one-pixel line.</summary>
    public void DrawRectangle(int x, int y, int w, int h, Rgb colour)
    {
        FillRectangle(x, y, w, 1, colour);
        FillRectangle(x, y + h - 1, w, 1, colour);
        FillRectangle(x, y, 1, h, colour);
        FillRectangle(x + w - 1, y, 1, h, colour);
    }

    /// <summary>A line from (x0, y0) to (x1, y1), <paramref name="thickness"/> pixels wide, with anti-aliased edges.</summary>
    public void DrawLine(double x0, double y0, double x1, double y1, Rgb colour, double thickness = 1.5)
    {
        var half = thickness / 2;
        var minX = (int)Math.Floor(Math.Min(x0, x1) - half - 1);
        var maxX = (int)Math.Ceiling(Math.Max(x0, x1) + half + 1);
        var minY = (int)Math.Floor(Math.Min(y0, y1) - half - 1);
        var maxY = (int)Math.Ceiling(Math.Max(y0, y1) + half + 1);
        var dx = x1 - x0;
        var dy = y1 - y0;
        var lengthSquared = (dx * dx) + (dy * dy);
        for (var y = Math.Max(0, minY); y <= Math.Min(Height - 1, maxY); y++)
        {
            for (var x = Math.Max(0, minX); x <= Math.Min(Width - 1, maxX); x++)
            {
                // Distance from the pixel centre to the segment; coverage falls off over one pixel.
                var t = lengthSquared == 0 ? 0 : Math.Clamp((((x - x0) * dx) + ((y - y0) * dy)) / lengthSquared, 0, 1);
                var px = x0 + (t * dx) - x;
                var py = y0 + (t * dy) - y;
                var coverage = Math.Clamp(half + 0.5 - Math.Sqrt((px * px) + (py * py)), 0, 1);
                if (coverage > 0)
                {
                    Blend(x, y, colour, coverage);
                }
            }
        }
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y).</summary>
    public void DrawText(int x, int y, string text, Rgb colour, BitmapFont? font = null) =>
        (font ?? BitmapFont.Small).Draw(this, x, y, text, colour);

    /// <summary>Draws <paramref name="text"/> reading bottom to top, its bounding box's top-left at (x, y).</summary>
    public void DrawTextVertical(int x, int y, string text, Rgb colour, BitmapFont? font = null) =>
        (font ?? BitmapFont.Small).DrawVertical(this, x, y, text, colour);

    /// <summary>Copies <paramref name="source"/> with its top-left corner at (x, y).</summary>
    public void Paste(RgbImage source, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (var sy = 0; sy < source.Height; sy++)
        {
            for (var sx = 0; sx < source.Width; sx++)
            {
                Set(x + sx, y + sy, source[sx, sy]);
            }
        }
    }
}
