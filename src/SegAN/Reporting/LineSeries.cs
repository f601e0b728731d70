namespace SegAN.Reporting;

/// <summary>A named polyline for <see cref="LineChart"/>; NaN values break the line.</summary>
internal sealed record LineSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, Rgb Colour);
