using SegAN.Data;

namespace SegAN.Training;

/// <summary>
/// Validation volumes from prepared cases: every axial slice centre-cropped to <c>cropSize</c> (the paper: 160 out
/// of 180), with its region maps. Crops are made when a case is asked for, so only one is held at a time.
/// </summary>
public sealed class PreparedValidationSet : IValidationSet
{
    private readonly IReadOnlyList<PreparedCase> _cases;
    private readonly int _cropSize;

    public PreparedValidationSet(IReadOnlyList<PreparedCase> cases, int cropSize = SliceCrop.PaperSize)
    {
        ArgumentNullException.ThrowIfNull(cases);
        foreach (var c in cases)
        {
            if (c.Regions is null)
            {
                throw new SegANException($"Validation case {c.Name} has no segmentation.");
            }

            if (cropSize > c.Height || cropSize > c.Width)
            {
                throw new SegANException($"Validation case {c.Name}: crop {cropSize} is larger than its {c.Height}x{c.Width} slices.");
            }
        }

        (_cases, _cropSize) = (cases, cropSize);
    }

    public int Count => _cases.Count;

    public ValidationCase GetCase(int index)
    {
        var c = _cases[index];
        return new ValidationCase(c.Name, SliceCrop.CentreImages(c, _cropSize), SliceCrop.CentreTargets(c, _cropSize), c.Depth, c.Channels, _cropSize, _cropSize);
    }
}
