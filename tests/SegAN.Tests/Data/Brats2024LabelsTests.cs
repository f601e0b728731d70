using SegAN.Data;

namespace SegAN.Tests.Data;

/// <summary>The BraTS 2024 post-treatment glioma labels (1 NETC, 2 SNFH, 3 ET, 4 resection cavity) and its file names.</summary>
public sealed class Brats2024LabelsTests
{
    [Fact]
    public void ToRegions_PutsTheResectionCavityInNoRegion_AndNestsTheOthers()
    {
        // Given one voxel of each 2024 label: background, NETC, SNFH, ET, RC
        float[] labels = [0, 1, 2, 3, 4];

        var regions = BratsLabels.ToRegions(labels, LabelConvention.Brats2024Gli, "case-seg.nii.gz");

        // Then WT = NETC + SNFH + ET, TC = NETC + ET, ET = ET, and the cavity is in none
        Assert.Equal(new byte[] { 0, 1, 1, 1, 0 }, regions[..5]);
        Assert.Equal(new byte[] { 0, 1, 0, 1, 0 }, regions[5..10]);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0 }, regions[10..]);
    }

    [Fact]
    public void Brats2023_StillRejectsLabelFour()
    {
        var error = Assert.Throws<SegANException>(() => BratsLabels.ToRegions([4f], LabelConvention.Brats2023, "x-seg.nii.gz"));

        Assert.Contains("x-seg.nii.gz", error.Message, StringComparison.Ordinal);
        Assert.Contains("brats2023", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("brats2024-gli")]
    [InlineData("BraTS2024")]
    [InlineData("brats2024gli")]
    public void ParseConvention_ReadsThe2024Names(string text) =>
        Assert.Equal(LabelConvention.Brats2024Gli, LabelNames.ParseConvention(text));

    [Fact]
    public void Name_RoundTrips_AndUnknownNamesListEveryConvention()
    {
        Assert.Equal("brats2024-gli", LabelConvention.Brats2024Gli.Name());
        var error = Assert.Throws<SegANException>(() => LabelNames.ParseConvention("brats2030"));
        Assert.Contains("brats2024-gli", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Preset_Uses2023FileNames_With2024Labels()
    {
        var layout = DatasetPresets.Layout(DatasetPresets.Parse("brats2024-gli"), ["T1", "T1c", "T2", "FLAIR"]);

        Assert.Equal(["*-t1n.nii.gz", "*-t1c.nii.gz", "*-t2w.nii.gz", "*-t2f.nii.gz"], layout.Modalities.Select(m => m.Pattern));
        Assert.Equal("*-seg.nii.gz", layout.SegPattern);
        Assert.Equal(LabelConvention.Brats2024Gli, layout.Labels);
    }

    [Fact]
    public void FromRegions_WritesNoCavity()
    {
        var labels = BratsLabels.FromRegions([1, 1, 1, 0, 1, 1, 0, 0, 1], LabelConvention.Brats2024Gli);

        Assert.Equal(new byte[] { 2, 1, 3 }, labels); // WT only, TC, ET: never the cavity
    }
}
