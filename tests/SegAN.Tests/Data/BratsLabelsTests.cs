using SegAN.Data;

namespace SegAN.Tests.Data;

public sealed class BratsLabelsTests
{
    // Hand-computed: voxels with labels 0, 1, 2, E (enhancing) give WT = 0111, TC = 0101, ET = 0001.
    [Theory]
    [InlineData(LabelConvention.Brats2015, 4)]
    [InlineData(LabelConvention.Brats2021, 4)]
    [InlineData(LabelConvention.Brats2023, 3)]
    public void ToRegions_GivesNestedMasks_ForEachConvention(LabelConvention convention, int enhancing)
    {
        // Given labels background, necrosis, edema, enhancing
        float[] labels = [0, 1, 2, enhancing];

        // When
        var regions = BratsLabels.ToRegions(labels, convention, "seg.nii.gz");

        // Then WT, TC, ET are region-major
        Assert.Equal(new byte[] { 0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1 }, regions);
    }

    [Fact]
    public void ToRegions_NonEnhancing2015_IsTumourCoreNotEnhancing()
    {
        var regions = BratsLabels.ToRegions([3f], LabelConvention.Brats2015, "seg.mha");
        Assert.Equal(new byte[] { 1, 1, 0 }, regions);
    }

    [Theory]
    [InlineData(LabelConvention.Brats2015, new[] { 0, 1, 2, 4 })]
    [InlineData(LabelConvention.Brats2021, new[] { 0, 1, 2, 4 })]
    [InlineData(LabelConvention.Brats2023, new[] { 0, 1, 2, 3 })]
    public void FromRegions_RoundTrips_Labels(LabelConvention convention, int[] values)
    {
        // Given a label map using every label the round trip preserves (2015's label 3 folds into necrosis 1)
        var labels = values.Concat(values.Reverse()).Select(v => (float)v).ToArray();

        // When mapped to regions and back
        var back = BratsLabels.FromRegions(BratsLabels.ToRegions(labels, convention, "seg"), convention);

        // Then the labels are unchanged
        Assert.Equal(labels.Select(v => (byte)v), back);
    }

    [Fact]
    public void FromRegions_NestsRegions_BeforeLabelling()
    {
        // Given voxels: ET without TC or WT; TC without WT; WT alone; nothing (region-major WT, TC, ET)
        byte[] regions =
        [
            0, 0, 1, 0, // WT
            0, 1, 0, 0, // TC
            1, 0, 0, 0, // ET
        ];

        // When
        var labels = BratsLabels.FromRegions(regions, LabelConvention.Brats2023);

        // Then ET wins (3), TC-only is necrosis (1), WT-only is edema (2), empty is background
        Assert.Equal(new byte[] { 3, 1, 2, 0 }, labels);
    }

    [Theory]
    [InlineData(LabelConvention.Brats2021, 3f, "label 3 ")]
    [InlineData(LabelConvention.Brats2023, 4f, "label 4 ")]
    [InlineData(LabelConvention.Brats2021, 1.5f, "non-integral label 1.5")]
    [InlineData(LabelConvention.Brats2015, -1f, "label -1")]
    public void ToRegions_RejectsValueOutsideConvention_NamingFileValueAndConvention(LabelConvention convention, float value, string expected)
    {
        var e = Assert.Throws<SegANException>(() => BratsLabels.ToRegions([0f, value], convention, "/data/case1/case1_seg.nii.gz"));
        Assert.Contains("/data/case1/case1_seg.nii.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(convention.Name(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegionLabels_FollowTheReleases()
    {
        Assert.Equal([1, 2, 3, 4], BratsLabels.RegionLabels(LabelConvention.Brats2015, Region.WholeTumour));
        Assert.Equal([1, 4], BratsLabels.RegionLabels(LabelConvention.Brats2021, Region.TumourCore));
        Assert.Equal([3], BratsLabels.RegionLabels(LabelConvention.Brats2023, Region.EnhancingTumour));
        Assert.Equal("WT", Region.WholeTumour.ShortName());
        Assert.Equal(LabelConvention.Brats2023, LabelNames.ParseConvention("BraTS2023"));
        Assert.Throws<SegANException>(() => LabelNames.ParseConvention("brats2022"));
    }
}
