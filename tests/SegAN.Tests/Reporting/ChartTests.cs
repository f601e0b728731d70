using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Metrics;
using SegAN.Reporting;
using StbImageSharp;

namespace SegAN.Tests.Reporting;

public sealed class ChartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segan-chart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void BarChart_DrawsOneBarPerVariantAndRegion_WithHeightsFromTheMeans()
    {
        // Given two variants over three regions with means 0.5 .. 1.0 and y on 0..1
        var image = BarChart.Render(
            "Dice by region", ["WT", "TC", "ET"],
            [new BarSeries("S1-1C", [0.5, 0.6, 0.7], [0.1, 0.1, 0.1]), new BarSeries("S3-3C", [0.8, 0.9, 1.0], [0, 0.05, 0])],
            "Dice", (0, 1));
        PngWriter.Write(Path.Combine(Environment.GetEnvironmentVariable("SEGAN_PICTURES") ?? _dir, "bars.png"), image);

        // Then the first series' colour appears in three separate columns, and a taller bar for the second
        var first = Rgb.Palette[0];
        var second = Rgb.Palette[1];
        Assert.Equal(3, ColumnRuns(image, first));
        Assert.Equal(3, ColumnRuns(image, second));
        Assert.True(Height(image, second) > Height(image, first));

        // And text was drawn: dark pixels exist outside the plot (title, tick labels)
        Assert.Contains(Enumerable.Range(0, image.Width), x => IsDark(image[x, 10]));
    }

    [Fact]
    public void DiceByRegion_DrawsOneColourPerVariant_TallerForTheBetterOne()
    {
        // Given two variants' evaluations: every region Dice 0.4 and 0.9
        static EvaluationResult Result(double dice) => EvaluationResult.Create(
            LabelConvention.Brats2021,
            [new CaseEvaluation("a", "p", "t", [.. LabelNames.Regions.Select(r => new RegionScores(r, new SegmentationScores(dice, 1, 1, 1, 0)))])],
            [],
            []);

        var image = BarChart.DiceByRegion([("S1-1C", Result(0.4)), ("S3-3C", Result(0.9))]);

        Assert.Equal(3, ColumnRuns(image, Rgb.Palette[0]));
        Assert.Equal(3, ColumnRuns(image, Rgb.Palette[1]));
        Assert.True(Height(image, Rgb.Palette[1]) > 2 * Height(image, Rgb.Palette[0]));
    }

    [Fact]
    public void BarChart_RejectsSeriesOfTheWrongLength_NamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => BarChart.Render("t", ["WT", "TC"], [new BarSeries("v1", [1.0], [0.0])], "Dice"));
        Assert.Contains("v1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LineChart_DrawsSeriesAndText_AndSurvivesEmptyData()
    {
        var image = new RgbImage(400, 300, Rgb.White);
        LineChart.Draw(image, 0, 0, 400, 300, "title", "step", "loss", [new LineSeries("a", [0, 1, 2], [3, 1, 2], Rgb.Red)]);
        Assert.Contains(AllPixels(image), p => p == Rgb.Red);

        var empty = new RgbImage(400, 300, Rgb.White);
        LineChart.Draw(empty, 0, 0, 400, 300, "title", "step", "loss", []);
        Assert.Contains(AllPixels(empty), IsDark);
    }

    [Theory]
    [InlineData(0, 1, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 })]
    [InlineData(0, 950, new[] { 0.0, 200, 400, 600, 800 })]
    [InlineData(-0.3, 0.3, new[] { -0.2, 0, 0.2 })]
    public void NiceTicks_AreRoundSteps(double min, double max, double[] expected)
    {
        var ticks = ChartFrame.NiceTicks(min, max);
        Assert.Equal(expected.Length, ticks.Length);
        for (var i = 0; i < ticks.Length; i++)
        {
            Assert.Equal(expected[i], ticks[i], 9);
        }
    }

    [Fact]
    public void Fonts_LoadFromTheAssembly_AndMeasureText()
    {
        Assert.True(BitmapFont.Small.Height is > 10 and < 20);
        Assert.True(BitmapFont.Large.Height > BitmapFont.Small.Height);
        Assert.True(BitmapFont.Small.Measure("WW") > BitmapFont.Small.Measure("ii"));

        // "±" has its own glyph, not the '?' of unknown characters
        Assert.NotEqual(Pixels("?"), Pixels("±"));
        Assert.Equal(Pixels("?"), Pixels("\u4e2d"));

        // Drawing text changes pixels, and the PNG of it decodes with an independent decoder
        var image = new RgbImage(60, 20, Rgb.White);
        image.DrawText(2, 2, "Dice 0.9", Rgb.Black);
        var decoded = ImageResult.FromMemory(PngWriter.Encode(image), ColorComponents.RedGreenBlue);
        Assert.Contains(decoded.Data, b => b < 100);
    }

    private static byte[] Pixels(string text)
    {
        var image = new RgbImage(20, 20, Rgb.White);
        image.DrawText(2, 2, text, Rgb.Black);
        return image.Pixels;
    }

    internal static IEnumerable<Rgb> AllPixels(RgbImage image)
    {
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                yield return image[x, y];
            }
        }
    }

    private static bool IsDark(Rgb p) => p.R < 100 && p.G < 100 && p.B < 100;

    // Number of separate runs of the colour along the lowest row that has it: bars all stand on the baseline,
    // the legend's swatch sits higher up. A few rows up, clear of rounding at the baseline.
    private static int ColumnRuns(RgbImage image, Rgb colour)
    {
        var row = Enumerable.Range(0, image.Height).Last(y => Enumerable.Range(0, image.Width).Any(x => image[x, y] == colour)) - 3;
        var runs = 0;
        var inRun = false;
        for (var x = 0; x < image.Width; x++)
        {
            var has = image[x, row] == colour;
            if (has && !inRun)
            {
                runs++;
            }

            inRun = has;
        }

        return runs;
    }

    private static int Height(RgbImage image, Rgb colour) =>
        Enumerable.Range(0, image.Width).Max(x => Enumerable.Range(0, image.Height).Count(y => image[x, y] == colour));
}
