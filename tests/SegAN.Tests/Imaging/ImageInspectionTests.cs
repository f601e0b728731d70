using SegAN.Imaging;

namespace SegAN.Tests.Imaging;

public sealed class ImageInspectionTests
{
    private static ImageData Data(NiftiDataType type, params float[] values)
    {
        var volume = new Volume(values, ImageGeometry.FromSpacing([values.Length, 1, 1], [1, 1, 1]));
        var info = new ImageInfo("x.nii", ImageFormat.Nifti1, [values.Length, 1, 1], [1, 1, 1], type, false, volume.Geometry.Affine);
        return new ImageData(info, [volume]);
    }

    [Fact]
    public void Of_IntegralValues_AreALabelMapWithSortedLabels()
    {
        var r = ImageInspection.Of(Data(NiftiDataType.Float32, 4, 0, 1, 1, 2));

        Assert.Equal([0L, 1, 2, 4], r.Labels);
        Assert.Equal((0.0, 4.0, 1.6), (r.Min, r.Max, r.Mean));
    }

    [Fact]
    public void Of_FractionalValues_AreNotALabelMap()
    {
        Assert.Null(ImageInspection.Of(Data(NiftiDataType.Float32, 0, 0.5f, 1)).Labels);
    }

    [Fact]
    public void Of_ManyDistinctIntegers_AreAnImageNotALabelMap()
    {
        var values = Enumerable.Range(0, ImageInspection.MaxLabels + 1).Select(i => (float)i).ToArray();

        Assert.Null(ImageInspection.Of(Data(NiftiDataType.Int16, values)).Labels);
        Assert.NotNull(ImageInspection.Of(Data(NiftiDataType.Int16, values[..^1])).Labels);
    }

    [Fact]
    public void Of_NaNVoxels_AreLeftOutOfTheStatistics()
    {
        var r = ImageInspection.Of(Data(NiftiDataType.Float32, 1, float.NaN, 3));

        Assert.Equal((1.0, 3.0, 2.0), (r.Min, r.Max, r.Mean));
        Assert.Null(r.Labels);
    }
}
