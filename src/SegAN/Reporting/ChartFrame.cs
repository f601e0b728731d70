using System.Globalization;

namespace SegAN.Reporting;

/// <summary>
/// The frame shared by the charts: a title, a plot rectangle inside margins, linear axes with "nice" ticks
/// (1, 2 or 5 times a power of ten), grid lines, tick and axis labels, and a legend.
/// </summary>
internal sealed class ChartFrame
{
    private const int TickLength = 4;

    public ChartFrame(RgbImage image, int left, int top, int width, int height, double xMin, double xMax, double yMin, double yMax, bool legendRow = false)
    {
        Image = image;
        // Room for the title (and a legend row) above, tick labels and the axis label left and below.
        var header = legendRow ? 28 + BitmapFont.Small.Height + 6 : 28;
        PlotLeft = left + 62;
        PlotTop = top + header;
        PlotWidth = Math.Max(10, width - 62 - 12);
        PlotHeight = Math.Max(10, height - header - 40);
        (XMin, XMax) = Widen(xMin, xMax);
        (YMin, YMax) = Widen(yMin, yMax);
        Left = left;
        Top = top;
        Width = width;
    }

    public RgbImage Image { get; }

    public int Left { get; }

    public int Top { get; }

    public int Width { get; }

    public int PlotLeft { get; }

    public int PlotTop { get; }

    public int PlotWidth { get; }

    public int PlotHeight { get; }

    public double XMin { get; }

    public double XMax { get; }

    public double YMin { get; }

    public double YMax { get; }

    public double PixelX(double x) => PlotLeft + ((x - XMin) / (XMax - XMin) * (PlotWidth - 1));

    public double PixelY(double y) => PlotTop + PlotHeight - 1 - ((y - YMin) / (YMax - YMin) * (PlotHeight - 1));

    /// <summary>Ticks between <paramref name="min"/> and <paramref name="max"/> at a 1-2-5 step giving about <paramref name="target"/> intervals.</summary>
    public static double[] NiceTicks(double min, double max, int target = 5)
    {
        var span = max - min;
        if (!(span > 0) || double.IsInfinity(span))
        {
            return [min];
        }

        var raw = span / target;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw * 0.999);
        var first = Math.Ceiling((min / step) - 1e-9) * step;
        var ticks = new List<double>();
        for (var t = first; t <= max + (step * 1e-9); t += step)
        {
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        }

        return [.. ticks];
    }

    /// <summary>A tick label: few significant digits, invariant culture, thousands as k.</summary>
    public static string FormatTick(double value)
    {
        if (value != 0 && Math.Abs(value) >= 10000 && Math.Abs(value % 1000) < 1e-9)
        {
            return (value / 1000).ToString("0.##", CultureInfo.InvariantCulture) + "k";
        }

        return value.ToString("0.###", CultureInfo.InvariantCulture);
    }

    public void DrawTitle(string title) =>
        Image.DrawText(PlotLeft + ((PlotWidth - BitmapFont.Large.Measure(title)) / 2), Top + 4, title, Rgb.Black, BitmapFont.Large);

    /// <summary>Grid, axes, tick labels and axis labels. Pass null <paramref name="xTicks"/> to let the caller label x.</summary>
    public void DrawAxes(string xLabel, string yLabel, bool xTicks = true)
    {
        var font = BitmapFont.Small;
        foreach (var y in NiceTicks(YMin, YMax))
        {
            var py = (int)Math.Round(PixelY(y));
            Image.FillRectangle(PlotLeft, py, PlotWidth, 1, Rgb.LightGrey);
            Image.FillRectangle(PlotLeft - TickLength, py, TickLength, 1, Rgb.Black);
            var label = FormatTick(y);
            Image.DrawText(PlotLeft - TickLength - 3 - font.Measure(label), py - (font.Height / 2), label, Rgb.Black);
        }

        if (xTicks)
        {
            foreach (var x in NiceTicks(XMin, XMax, Math.Max(2, PlotWidth / 90)))
            {
                var px = (int)Math.Round(PixelX(x));
                Image.FillRectangle(px, PlotTop, 1, PlotHeight, Rgb.LightGrey);
                Image.FillRectangle(px, PlotTop + PlotHeight, 1, TickLength, Rgb.Black);
                var label = FormatTick(x);
                Image.DrawText(px - (font.Measure(label) / 2), PlotTop + PlotHeight + TickLength + 1, label, Rgb.Black);
            }
        }

        Image.DrawRectangle(PlotLeft - 1, PlotTop - 1, PlotWidth + 2, PlotHeight + 2, Rgb.Black);
        Image.DrawText(PlotLeft + ((PlotWidth - font.Measure(xLabel)) / 2), PlotTop + PlotHeight + TickLength + font.Height + 2, xLabel, Rgb.Black);
        Image.DrawTextVertical(Left + 2, PlotTop + ((PlotHeight - font.Measure(yLabel)) / 2), yLabel, Rgb.Black);
    }

    /// <summary>A boxed legend in the top-right corner of the plot, one coloured swatch per entry.</summary>
    public void DrawLegend(IReadOnlyList<(string Name, Rgb Colour)> entries, bool bottom = false)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var font = BitmapFont.Small;
        var width = entries.Max(e => font.Measure(e.Name)) + 34;
        var height = (entries.Count * (font.Height + 2)) + 8;
        var x = PlotLeft + PlotWidth - width - 8;
        var y = bottom ? PlotTop + PlotHeight - height - 8 : PlotTop + 8;
        Image.FillRectangle(x, y, width, height, Rgb.White);
        Image.DrawRectangle(x, y, width, height, Rgb.Grey);
        for (var i = 0; i < entries.Count; i++)
        {
            var rowY = y + 4 + (i * (font.Height + 2));
            Image.FillRectangle(x + 6, rowY + (font.Height / 2) - 2, 18, 5, entries[i].Colour);
            Image.DrawText(x + 28, rowY, entries[i].Name, Rgb.Black);
        }
    }

    /// <summary>A one-line legend between the title and the plot (reserve it with legendRow), centred.</summary>
    public void DrawLegendRow(IReadOnlyList<(string Name, Rgb Colour)> entries)
    {
        var font = BitmapFont.Small;
        var total = entries.Sum(e => 22 + font.Measure(e.Name) + 14) - 14;
        var x = PlotLeft + ((PlotWidth - total) / 2);
        var y = PlotTop - font.Height - 6;
        foreach (var (name, colour) in entries)
        {
            Image.FillRectangle(x, y + 3, 18, font.Height - 6, colour);
            Image.DrawText(x + 22, y, name, Rgb.Black);
            x += 22 + font.Measure(name) + 14;
        }
    }

    // A degenerate range (one value) still needs a visible axis.
    private static (double Min, double Max) Widen(double min, double max)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || double.IsInfinity(min) || double.IsInfinity(max))
        {
            return (0, 1);
        }

        if (max > min)
        {
            return (min, max);
        }

        var pad = Math.Abs(min) > 0 ? Math.Abs(min) * 0.1 : 1;
        return (min - pad, max + pad);
    }
}
