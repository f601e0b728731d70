namespace SegAN.Reporting;

/// <summary>A picture for a report: a caption and the PNG bytes.</summary>
public sealed record ReportFigure(string Caption, byte[] Png)
{
    /// <summary>Encodes <paramref name="image"/> as PNG.</summary>
    internal static ReportFigure FromImage(string caption, RgbImage image) => new(caption, PngWriter.Encode(image));
}
