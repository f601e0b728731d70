using System.Globalization;
using SegAN.Reporting;
using SegAN.Training;
using StbImageSharp;

namespace SegAN.Tests.Reporting;

public sealed class TrainingCurvesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segan-curves-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TrainingLog_Read_ParsesLossesAndOptionalValidation()
    {
        // Given two lines, the second with validation Dice
        var path = Path.Combine(_dir, "metrics.jsonl");
        File.WriteAllText(path, """
            {"step": 10, "seconds": 1.5, "loss_critic": -0.25, "loss_segmentor": 0.5, "loss_dice": 0.75, "lr": 2e-5}
            {"step": 20, "seconds": 3.0, "loss_critic": -0.5, "loss_segmentor": 0.25, "loss_dice": 0.5, "lr": 2e-5, "val_dice_wt": 0.8, "val_dice_tc": 0.6, "val_dice_et": 0.4, "val_dice_mean": 0.6}

            """);

        // When reading
        var entries = MetricsLog.Read(path);

        // Then both entries come back with their values
        Assert.Equal(2, entries.Count);
        Assert.Equal(new TrainingLogEntry(10, 1.5, -0.25, 0.5, 0.75, 2e-5, null, null, null, null), entries[0]);
        Assert.Equal(0.8, entries[1].ValDiceWt);
        Assert.Equal(0.6, entries[1].ValDiceMean);
    }

    [Fact]
    public void TrainingLog_Read_IgnoresATruncatedLastLine_ButRejectsABadMiddleLine()
    {
        var path = Path.Combine(_dir, "metrics.jsonl");
        var good = """{"step": 1, "seconds": 1, "loss_critic": 0, "loss_segmentor": 0, "loss_dice": 0, "lr": 1}""";
        File.WriteAllText(path, good + "\n" + """{"step": 2, "seco""");
        Assert.Single(MetricsLog.Read(path));

        File.WriteAllText(path, good + "\n{\"step\": 2}\n" + good + "\n");
        var e = Assert.Throws<SegANException>(() => MetricsLog.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteForRun_DrawsAUNetLog_WhoseCriticLossIsNull()
    {
        // Given a U-Net run's log: it has no critic, so loss_critic is written as null
        var run = Path.Combine(_dir, "unet");
        Directory.CreateDirectory(run);
        File.WriteAllLines(Path.Combine(run, "metrics.jsonl"), [
            """{"step": 1, "seconds": 1, "loss_critic": null, "loss_segmentor": 0.9, "loss_dice": 0.8, "lr": 1e-3}""",
            """{"step": 2, "seconds": 2, "loss_critic": null, "loss_segmentor": 0.7, "loss_dice": 0.6, "lr": 1e-3, "val_dice_wt": 0.5, "val_dice_tc": 0.4, "val_dice_et": 0.3, "val_dice_mean": 0.4}""",
        ]);

        // When reading it and writing the curves
        var entries = MetricsLog.Read(Path.Combine(run, "metrics.jsonl"));
        var path = TrainingCurves.WriteForRun(run);

        // Then the critic loss reads as NaN, the others as written, and curves.png exists
        Assert.True(double.IsNaN(entries[0].LossCritic));
        Assert.Equal(0.7, entries[1].LossSegmentor);
        Assert.True(new FileInfo(path).Length > 0);
    }

    [Fact]
    public void WriteForRun_WritesCurvesPng_WithBothPanelsDrawn()
    {
        // Given a run folder with 50 steps and a validation every 10
        var lines = Enumerable.Range(1, 50).Select(i =>
        {
            var s = string.Create(CultureInfo.InvariantCulture, $"{{\"step\": {i * 10}, \"seconds\": {i * 0.5}, \"loss_critic\": {-0.3 + (0.1 * Math.Exp(-i / 10.0))}, \"loss_segmentor\": {0.4 * Math.Exp(-i / 15.0)}, \"loss_dice\": {0.9 * Math.Exp(-i / 20.0)}, \"lr\": 2e-5");
            if (i % 10 == 0)
            {
                s += string.Create(CultureInfo.InvariantCulture, $", \"val_dice_wt\": {0.5 + (i / 120.0)}, \"val_dice_tc\": {0.3 + (i / 110.0)}, \"val_dice_et\": {0.2 + (i / 100.0)}, \"val_dice_mean\": {0.33 + (i / 110.0)}");
            }

            return s + "}";
        });
        var run = Path.Combine(Environment.GetEnvironmentVariable("SEGAN_PICTURES") ?? _dir, "run");
        Directory.CreateDirectory(run);
        File.WriteAllLines(Path.Combine(run, "metrics.jsonl"), lines);

        // When writing the curves
        var path = TrainingCurves.WriteForRun(run);

        // Then curves.png decodes, and the loss colours appear in the top half, the region colours in the bottom half
        Assert.Equal(Path.Combine(run, "curves.png"), path);
        var decoded = ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);
        Assert.Equal(900, decoded.Width);
        bool Has(Rgb c, int y0, int y1)
        {
            for (var y = y0; y < y1; y++)
            {
                for (var x = 0; x < decoded.Width; x++)
                {
                    var i = ((y * decoded.Width) + x) * 3;
                    if (decoded.Data[i] == c.R && decoded.Data[i + 1] == c.G && decoded.Data[i + 2] == c.B)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        Assert.True(Has(Rgb.Palette[0], 0, decoded.Height / 2));
        Assert.True(Has(Rgb.Palette[2], 0, decoded.Height / 2));
        Assert.True(Has(Rgb.Blue, decoded.Height / 2, decoded.Height));
        Assert.True(Has(Rgb.Red, decoded.Height / 2, decoded.Height));
    }
}
