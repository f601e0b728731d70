using System.Text.RegularExpressions;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Imaging;
using SegAN.Metrics;
using SegAN.Reporting;
using SegAN.Tests.Evaluation;
using StbImageSharp;

namespace SegAN.Tests.Reporting;

public sealed partial class HtmlReportTests : IDisposable
{
    private readonly EvaluationFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Render_IsSelfContained_WithTablesCurvesAndEmbeddedPngs()
    {
        // Given an evaluation result, a run folder with a training log, and one overlay figure
        var result = EvaluationResult.Create(
            LabelConvention.Brats2021,
            [new CaseEvaluation("case<1>", "p", "t", [.. LabelNames.Regions.Select(r => new RegionScores(r, new SegmentationScores(0.8, 0.9, 0.7, 0.99, 4.5)))])],
            ["lost"],
            []);
        var run = Directory.CreateDirectory(Path.Combine(_files.Root, "run")).FullName;
        File.WriteAllText(Path.Combine(run, "metrics.jsonl"), """
            {"step": 1, "seconds": 1, "loss_critic": -0.1, "loss_segmentor": 0.5, "loss_dice": 0.9, "lr": 0.00002}
            {"step": 2, "seconds": 2, "loss_critic": -0.2, "loss_segmentor": 0.4, "loss_dice": 0.8, "lr": 0.00002, "val_dice_wt": 0.5, "val_dice_tc": 0.4, "val_dice_et": 0.3, "val_dice_mean": 0.4}
            """);
        var overlay = ReportFigure.FromImage("an overlay", new RgbImage(10, 8, Rgb.Red));

        // When rendering and writing the report
        var path = Path.Combine(_files.Root, HtmlReport.FileName);
        HtmlReport.Write(path, result, run, [overlay]);
        var html = File.ReadAllText(path);

        // Then it names the regions and the missing case, escapes names, and references nothing outside itself
        Assert.Contains("<td>WT</td>", html, StringComparison.Ordinal);
        Assert.Contains("0.800 ± 0.000 (0.800)", html, StringComparison.Ordinal);
        Assert.Contains("Missing predictions (1): lost", html, StringComparison.Ordinal);
        Assert.Contains("case&lt;1&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

        // And it embeds three decodable PNGs: the Dice chart, the curves and the overlay
        var images = ImageSources().Matches(html).Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
        Assert.Equal(3, images.Count);
        var decoded = images.Select(b => ImageResult.FromMemory(b, ColorComponents.RedGreenBlue)).ToList();
        Assert.Equal(900, decoded[1].Width); // the training curves
        Assert.Equal((10, 8), (decoded[2].Width, decoded[2].Height));
        Assert.All(Regex.Matches(html, "src=\"([^\"]*)\""), m => Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value, StringComparison.Ordinal));
    }

    [Fact]
    public void EvaluationOverlays_RenderTheCases_FromTheirFlairBesideTheTruth()
    {
        // Given a BraTS 2021 case folder with a FLAIR and a truth, and a prediction for it
        var truth = EvaluationFixture.LabelMap(0, 2, 2, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        var truthPath = _files.WriteTruth("BraTS2021_00001", truth);
        var flair = new Volume([.. Enumerable.Range(1, 24).Select(i => (float)i)], truth.Geometry);
        NiftiFile.Write(Path.Combine(Path.GetDirectoryName(truthPath)!, "BraTS2021_00001_flair.nii.gz"), flair);
        _files.WritePrediction("BraTS2021_00001_seg.nii.gz", truth);
        var result = FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(_files.Predictions), new DirectoryInfo(_files.Truth)));

        // When rendering overlays
        var figures = EvaluationOverlays.Render(result);

        // Then there is one figure, on the slice with the largest whole tumour (z = 0), and it decodes
        var figure = Assert.Single(figures);
        Assert.Contains("BraTS2021_00001", figure.Caption, StringComparison.Ordinal);
        Assert.Contains("FLAIR slice 0", figure.Caption, StringComparison.Ordinal);
        var decoded = ImageResult.FromMemory(figure.Png, ColorComponents.RedGreenBlue);
        Assert.True(decoded.Width > 3 * 4 * 2);
    }

    [GeneratedRegex("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex ImageSources();
}
