namespace SegAN.Reporting;

/// <summary>The three nested BraTS regions of one volume as binary masks in voxel order (x fastest).</summary>
internal sealed record TumourMasks(bool[] WholeTumour, bool[] TumourCore, bool[] EnhancingTumour);
