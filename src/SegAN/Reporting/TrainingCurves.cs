using SegAN.Training;

namespace SegAN.Reporting;

/// <summary>
/// The training progress picture of a run (<c>curves.png</c>, nnU-Net's progress.png): the critic, segmentor
/// and Dice losses over steps, and below them the validation Dice per region (WT, TC, ET, mean) on 0..1.
/// </summary>
public static class TrainingCurves
{
    /// <summary>The file name in a run folder.</summary>
    public const string FileName = "curves.png";

    /// <summary>Renders the two panels from <paramref name="entries"/>.</summary>
    internal static RgbImage Render(IReadOnlyList<TrainingLogEntry> entries, string title = "Training", int width = 900, int height = 720)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var image = new RgbImage(width, height, Rgb.White);
        var steps = entries.Select(e => (double)e.Step).ToList();
        LineSeries Loss(string name, Func<TrainingLogEntry, double> value, int colour) =>
            new(name, steps, entries.Select(value).ToList(), Rgb.Palette[colour]);
        var losses = new[]
        {
            Loss("critic", e => e.LossCritic, 0),
            Loss("segmentor", e => e.LossSegmentor, 1),
            Loss("dice", e => e.LossDice, 2),
        };
        LineChart.Draw(image, 0, 0, width, height / 2, $"{title}: losses", "step", "loss", losses);

        var validated = entries.Where(e => e.ValDiceWt is not null || e.ValDiceTc is not null || e.ValDiceEt is not null || e.ValDiceMean is not null).ToList();
        var valSteps = validated.Select(e => (double)e.Step).ToList();
        LineSeries Dice(string name, Func<TrainingLogEntry, double?> value, Rgb colour) =>
            new(name, valSteps, validated.Select(e => value(e) ?? double.NaN).ToList(), colour);
        var dice = new[]
        {
            Dice("WT", e => e.ValDiceWt, Rgb.Yellow.Mix(Rgb.Black, 0.2)),
            Dice("TC", e => e.ValDiceTc, Rgb.Blue),
            Dice("ET", e => e.ValDiceEt, Rgb.Red),
            Dice("mean", e => e.ValDiceMean, Rgb.Black),
        };
        LineChart.Draw(image, 0, height / 2, width, height - (height / 2), $"{title}: validation Dice", "step", "Dice", dice, (0, 1), legendAtBottom: true);
        return image;
    }

    /// <summary>Reads <c>metrics.jsonl</c> in <paramref name="runFolder"/> and writes <c>curves.png</c> next to it; returns the picture's path.</summary>
    public static string WriteForRun(string runFolder)
    {
        ArgumentNullException.ThrowIfNull(runFolder);
        var entries = MetricsLog.Read(Path.Combine(runFolder, MetricsLog.FileName));
        var path = Path.Combine(runFolder, FileName);
        PngWriter.Write(path, Render(entries, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runFolder)))));
        return path;
    }
}
