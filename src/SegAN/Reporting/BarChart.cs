using System.Globalization;
using SegAN.Data;
using SegAN.Evaluation;

namespace SegAN.Reporting;

/// <summary>One bar colour across the groups of a <see cref="BarChart"/>: a variant's mean and standard deviation per group.</summary>
internal sealed record BarSeries(string Name, IReadOnlyList<double> Means, IReadOnlyList<double> StandardDeviations);

/// <summary>
/// Grouped bar charts with error bars, like the paper's Fig. 2: groups along x (regions WT, TC, ET), one bar per
/// series (model variant) in each group, height = mean, whisker = mean ± standard deviation.
/// </summary>
internal static class BarChart
{
    /// <summary>
    /// The paper's Fig. 2 from evaluations: one bar colour per variant (named evaluation result), groups WT, TC,
    /// ET, height = mean Dice, whiskers = its standard deviation, y on 0..1.
    /// </summary>
    public static RgbImage DiceByRegion(IReadOnlyList<(string Variant, EvaluationResult Result)> variants, string title = "Dice by region (mean ± std)", int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var series = variants.Select(v => new BarSeries(
            v.Variant,
            [.. v.Result.Regions.Select(r => r.Dice.Mean)],
            [.. v.Result.Regions.Select(r => r.Dice.Std)])).ToList();
        return Render(title, [.. LabelNames.Regions.Select(r => r.ShortName())], series, "Dice", (0, 1), width, height);
    }

    /// <summary>Renders a chart of <paramref name="width"/> x <paramref name="height"/> pixels.</summary>
    public static RgbImage Render(
        string title, IReadOnlyList<string> groups, IReadOnlyList<BarSeries> series, string yLabel,
        (double Min, double Max)? yRange = null, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(series);
        if (groups.Count == 0)
        {
            throw new ArgumentException("a bar chart needs at least one group", nameof(groups));
        }

        if (series.Count == 0)
        {
            throw new ArgumentException("a bar chart needs at least one series", nameof(series));
        }

        foreach (var s in series)
        {
            if (s.Means.Count != groups.Count || s.StandardDeviations.Count != groups.Count)
            {
                throw new ArgumentException(
                    $"series '{s.Name}' has {s.Means.Count} means and {s.StandardDeviations.Count} standard deviations for {groups.Count} groups", nameof(series));
            }
        }

        var tops = series.SelectMany(s => s.Means.Zip(s.StandardDeviations, (m, d) => m + (double.IsFinite(d) ? d : 0))).Where(double.IsFinite).ToList();
        var range = yRange ?? (0, tops.Count > 0 ? Math.Max(tops.Max() * 1.05, 1e-9) : 1);
        var image = new RgbImage(width, height, Rgb.White);
        var frame = new ChartFrame(image, 0, 0, width, height, 0, groups.Count, range.Min, range.Max, legendRow: true);
        frame.DrawTitle(title);
        frame.DrawAxes(string.Empty, yLabel, xTicks: false);

        var groupWidth = frame.PlotWidth / (double)groups.Count;
        var barWidth = groupWidth * 0.8 / series.Count;
        var baseline = frame.PixelY(Math.Clamp(0, frame.YMin, frame.YMax));
        var font = BitmapFont.Small;
        for (var g = 0; g < groups.Count; g++)
        {
            var groupLeft = frame.PlotLeft + (g * groupWidth) + (groupWidth * 0.1);
            for (var s = 0; s < series.Count; s++)
            {
                var mean = series[s].Means[g];
                if (!double.IsFinite(mean))
                {
                    continue;
                }

                var colour = Rgb.Palette[s % Rgb.Palette.Count];
                var x0 = groupLeft + (s * barWidth);
                var top = frame.PixelY(Math.Clamp(mean, frame.YMin, frame.YMax));
                image.FillRectangle((int)Math.Round(x0 + 1), (int)Math.Round(Math.Min(top, baseline)), (int)Math.Max(1, Math.Round(barWidth - 2)), (int)Math.Max(1, Math.Round(Math.Abs(baseline - top))), colour);

                var sd = series[s].StandardDeviations[g];
                if (double.IsFinite(sd) && sd > 0)
                {
                    var centre = x0 + (barWidth / 2);
                    var high = frame.PixelY(Math.Clamp(mean + sd, frame.YMin, frame.YMax));
                    var low = frame.PixelY(Math.Clamp(mean - sd, frame.YMin, frame.YMax));
                    var cap = Math.Min(8, barWidth / 4);
                    image.DrawLine(centre, high, centre, low, Rgb.Black, 1.5);
                    image.DrawLine(centre - cap, high, centre + cap, high, Rgb.Black, 1.5);
                    image.DrawLine(centre - cap, low, centre + cap, low, Rgb.Black, 1.5);
                }

                var valueLabel = mean.ToString("0.00", CultureInfo.InvariantCulture);
                if (barWidth >= font.Measure(valueLabel) + 2)
                {
                    // Inside the bar's top when it fits, clear of the error whisker; else just above the bar.
                    var valueX = (int)Math.Round(x0 + ((barWidth - font.Measure(valueLabel)) / 2));
                    var inside = Math.Abs(baseline - top) > font.Height + 6;
                    var labelY = inside ? (int)Math.Round(Math.Min(top, baseline)) + 3 : (int)Math.Round(Math.Min(top, baseline)) - font.Height - 1;
                    if (inside)
                    {
                        image.FillRectangle(valueX - 2, labelY, font.Measure(valueLabel) + 4, font.Height, colour.Mix(Rgb.White, 0.75));
                    }

                    image.DrawText(valueX, labelY, valueLabel, Rgb.Black);
                }
            }

            var label = groups[g];
            var labelX = frame.PlotLeft + (g * groupWidth) + ((groupWidth - BitmapFont.Large.Measure(label)) / 2);
            image.DrawText((int)Math.Round(labelX), frame.PlotTop + frame.PlotHeight + 6, label, Rgb.Black, BitmapFont.Large);
        }

        frame.DrawLegendRow(series.Select((s, i) => (s.Name, Rgb.Palette[i % Rgb.Palette.Count])).ToList());
        return image;
    }
}
