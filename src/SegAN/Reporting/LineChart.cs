namespace SegAN.Reporting;

/// <summary>Line charts: one or more series against a shared x axis, with grid, ticks, labels and a legend.</summary>
internal static class LineChart
{
    /// <summary>
    /// Draws a chart into the rectangle (<paramref name="left"/>, <paramref name="top"/>, <paramref name="width"/>,
    /// <paramref name="height"/>) of <paramref name="image"/>. The y range fits the data unless
    /// <paramref name="yRange"/> is given; with no finite point, the frame shows "no data".
    /// </summary>
    public static void Draw(
        RgbImage image, int left, int top, int width, int height, string title, string xLabel, string yLabel,
        IReadOnlyList<LineSeries> series, (double Min, double Max)? yRange = null, bool legendAtBottom = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(series);
        foreach (var s in series)
        {
            if (s.X.Count != s.Y.Count)
            {
                throw new ArgumentException($"series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values", nameof(series));
            }
        }

        var points = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        var xMin = points.Count > 0 ? points.Min(p => p.First) : 0;
        var xMax = points.Count > 0 ? points.Max(p => p.First) : 1;
        var (yMin, yMax) = yRange ?? (points.Count > 0 ? Padded(points.Min(p => p.Second), points.Max(p => p.Second)) : (0, 1));
        var frame = new ChartFrame(image, left, top, width, height, xMin, xMax, yMin, yMax);
        frame.DrawTitle(title);
        frame.DrawAxes(xLabel, yLabel);
        if (points.Count == 0)
        {
            const string none = "no data";
            image.DrawText(frame.PlotLeft + ((frame.PlotWidth - BitmapFont.Small.Measure(none)) / 2), frame.PlotTop + (frame.PlotHeight / 2), none, Rgb.Grey);
        }

        foreach (var s in series)
        {
            (double X, double Y)? previous = null;
            for (var i = 0; i < s.X.Count; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i]))
                {
                    previous = null;
                    continue;
                }

                var current = (frame.PixelX(s.X[i]), frame.PixelY(Math.Clamp(s.Y[i], frame.YMin, frame.YMax)));
                if (previous is { } p)
                {
                    image.DrawLine(p.X, p.Y, current.Item1, current.Item2, s.Colour);
                }
                else if (i + 1 >= s.X.Count || !double.IsFinite(s.Y[i + 1]))
                {
                    // An isolated point (one validation so far) still shows, as a dot.
                    image.DrawLine(current.Item1, current.Item2, current.Item1, current.Item2, s.Colour, 4);
                }

                previous = current;
            }
        }

        frame.DrawLegend(series.Select(s => (s.Name, s.Colour)).ToList(), legendAtBottom);
    }

    private static (double, double) Padded(double min, double max)
    {
        var pad = (max - min) * 0.05;
        return (min - pad, max + pad);
    }
}
