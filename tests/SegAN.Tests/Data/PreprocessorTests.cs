using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Tests.Data;

public sealed class PreprocessorTests
{
    [Theory]
    [InlineData(50, 3)]
    [InlineData(10, 1.4)] // rank 0.1 x 4 = 0.4 between 1 and 2
    [InlineData(0, 1)]
    [InlineData(100, 5)]
    public void Percentile_InterpolatesLinearlyBetweenRanks(double p, double expected) =>
        Assert.Equal(expected, Preprocessor.Percentile([1f, 2f, 3f, 4f, 5f], p), 6);

    [Fact]
    public void Normalise_ClipsAtBrainPercentiles_ThenZScoresOverBrain()
    {
        // Given brain values 1, 2, 3, 4, 100 and one background voxel; clipping at the 0th and 75th percentiles
        // turns 100 into 4 (rank 0.75 x 4 = 3), so the clipped brain is 1, 2, 3, 4, 4: mean 2.8, variance 1.36
        float[] data = [7, 1, 2, 3, 4, 100];
        bool[] brain = [false, true, true, true, true, true];

        // When
        var z = Preprocessor.Normalise(data, brain, 0, 75);

        // Then
        var std = Math.Sqrt(1.36);
        Assert.Equal(0f, z[0]);
        Assert.Equal((1 - 2.8) / std, z[1], 5);
        Assert.Equal((4 - 2.8) / std, z[4], 5);
        Assert.Equal((4 - 2.8) / std, z[5], 5);
    }

    [Fact]
    public void Normalise_HalfPercentClipping_ClipsOneValueAtEachEnd()
    {
        // Given brain values 0..200: the 0.5th and 99.5th percentiles are ranks 1 and 199, so 0 -> 1 and
        // 200 -> 199; the clipped values sum to 20100 (mean 100) and their squares to 2686302, so the variance is
        // 2686302 / 201 - 100^2 = 3364.686...
        var data = Enumerable.Range(0, 201).Select(v => (float)v).ToArray();
        var brain = Enumerable.Repeat(true, 201).ToArray();

        // When
        var z = Preprocessor.Normalise(data, brain, 0.5, 99.5);

        // Then
        var std = Math.Sqrt((2686302 / 201.0) - 10000);
        Assert.Equal((199 - 100) / std, z[200], 5);
        Assert.Equal((1 - 100) / std, z[0], 5);
        Assert.Equal(0, z[100], 6);
    }

    [Fact]
    public void Normalise_Defaults_ZScoreWithoutClipping()
    {
        // Given brain values 0..200 (mean 100, population variance (201^2 - 1) / 12 = 3366.67) and the default options
        var data = Enumerable.Range(0, 201).Select(v => (float)v).ToArray();
        var brain = Enumerable.Repeat(true, 201).ToArray();
        var options = PreprocessOptions.Default;

        // When
        var z = Preprocessor.Normalise(data, brain, options.LowerPercentile, options.UpperPercentile);

        // Then the extremes keep their distance from the mean: nothing is clipped
        var std = Math.Sqrt(((201.0 * 201.0) - 1) / 12);
        Assert.Equal(100 / std, z[200], 5);
        Assert.Equal(-100 / std, z[0], 5);
        Assert.Equal(0, z[100], 6);
    }

    [Fact]
    public void Prepare_LargeVolume_CropsAroundTheOffCentreBrain()
    {
        // Given a 20^3 volume (background 5) whose brain is the block x 12..17, y 2..5, z 3..6, and an 8^3 grid
        var volume = new Volume(Enumerable.Repeat(5f, 8000).ToArray(), ImageGeometry.FromSpacing([20, 20, 20], [1, 1, 1]));
        for (var z = 3; z < 7; z++)
        {
            for (var y = 2; y < 6; y++)
            {
                for (var x = 12; x < 18; x++)
                {
                    volume[x, y, z] = 100 + x;
                }
            }
        }

        // When
        var prepared = Preprocessor.Prepare(new CaseVolumes(Files(1), [volume], null), new PreprocessOptions(CropX: 8, CropY: 8, CropZ: 8), LabelConvention.Brats2021);

        // Then the window starts at floor((12 + 17 + 1 - 8) / 2) = 11 in x, clamped to 0 in y and z (centres 4 and 5)
        Assert.Equal((11, 0, 1), (prepared.Window.X0, prepared.Window.Y0, prepared.Window.Z0));
        var restored = prepared.Restore(prepared.Image);
        Assert.True(restored.Data[volume.Index(12, 2, 3)] < restored.Data[volume.Index(17, 2, 3)]);
        Assert.Equal(0f, restored.Data[volume.Index(10, 2, 3)]);
    }

    [Fact]
    public void Background_IsMostFrequentFaceValue_NotAssumedZero()
    {
        // Given a constant negative background around a brighter block
        var volume = Block(8, 8, 8, background: -3.5f, inside: v => 10f + v);

        // When / Then
        Assert.Equal(-3.5f, Preprocessor.Background(volume.Data, volume.Geometry.Shape));
    }

    [Fact]
    public void Prepare_ShiftedBackground_GivesZeroBackground_AndUnitBrainStatistics()
    {
        // Given a 12x10x8 volume with background -3.5 and a 4x4x4 "brain" block of distinct values
        var volume = Block(12, 10, 8, background: -3.5f, inside: v => v);
        var input = new CaseVolumes(Files(1), [volume], null);

        // When prepared without clipping on a grid larger than the volume
        var prepared = Preprocessor.Prepare(input, new PreprocessOptions(0, 100, 16, 14, 10), LabelConvention.Brats2021);

        // Then brain voxels have mean 0 and standard deviation 1; everything else is 0
        var brain = prepared.Image.Where(v => v != 0).Select(v => (double)v).ToList();
        Assert.Equal(64, brain.Count);
        Assert.Equal(0, brain.Average(), 5);
        Assert.Equal(1, Math.Sqrt(brain.Average(v => v * v)), 4);
        Assert.Equal(16 * 14 * 10, prepared.Image.Length);
        // The 8 slices sit at z = 1..8 of the 10 (padding ceil(2 / 2) = 1 below), so brain slices 3..6 land at 4..7.
        Assert.Equal(-1, prepared.Window.Z0);
        Assert.Equal([false, false, false, false, true, true, true, true, false, false], prepared.SliceHasBrain);
    }

    [Fact]
    public void Restore_OfPrepare_PutsEveryVoxelBack_WhenTheGridIsPadded()
    {
        // Given a 12x10x8 label map (0 outside a block, labels 1, 2, 4 inside)
        var image = Block(12, 10, 8, background: 0, inside: v => v);
        var labels = image.WithData([.. image.Data.Select((v, i) => v == 0 ? 0f : new[] { 1f, 2f, 4f }[i % 3])]);
        var input = new CaseVolumes(Files(1) with { SegFile = "seg.nii.gz" }, [image], labels);

        // When prepared on a larger grid and restored
        var prepared = Preprocessor.Prepare(input, new PreprocessOptions(CropX: 15, CropY: 13, CropZ: 11), LabelConvention.Brats2021);
        var restored = prepared.RestoreLabels(prepared.Regions!);

        // Then the label map comes back exactly, in the source geometry
        Assert.Equal(labels.Data, restored.Data);
        Assert.Same(image.Geometry, restored.Geometry);
    }

    [Fact]
    public void Restore_OfPrepare_PutsWindowVoxelsBack_AndZerosOutside_WhenTheGridIsCropped()
    {
        // Given a volume whose brain fills it (every value distinct, no background on the faces but one corner)
        var geometry = ImageGeometry.FromSpacing([9, 7, 6], [1, 1, 1]);
        var data = Enumerable.Range(0, 9 * 7 * 6).Select(i => (float)i).ToArray();
        var window = CropWindow.Centred([9, 7, 6], [4, 5, 3], [0, 0, 0], [8, 6, 5]);

        // When a window is extracted and restored
        var restored = window.Restore<float>(window.Extract<float>(data));

        // Then voxels inside the window are back in place and the rest are 0
        var volume = new Volume(data, geometry);
        for (var z = 0; z < 6; z++)
        {
            for (var y = 0; y < 7; y++)
            {
                for (var x = 0; x < 9; x++)
                {
                    var inside = x >= window.X0 && x < window.X0 + 4 && y >= window.Y0 && y < window.Y0 + 5 && z >= window.Z0 && z < window.Z0 + 3;
                    Assert.Equal(inside ? volume[x, y, z] : 0f, restored[volume.Index(x, y, z)]);
                }
            }
        }

        Assert.Equal((2, 1, 1), (window.X0, window.Y0, window.Z0)); // floor((0 + 8 + 1 - 4) / 2) = 2, ...
    }

    [Theory]
    [InlineData(2, 5, 0)] // centred start 0
    [InlineData(12, 17, 11)] // centred start floor((12 + 17 + 1 - 8) / 2) = 11 fits
    [InlineData(16, 19, 12)] // centred start 14, clamped to 20 - 8
    [InlineData(8, 11, 6)] // window 6..13 centred on the box's centre 10
    public void Centred_CentresOnTheBox_ClampedToTheVolume(int min, int max, int expected)
    {
        var window = CropWindow.Centred([20, 20, 20], [8, 8, 8], [min, 0, 0], [max, 19, 19]);
        Assert.Equal(expected, window.X0);
    }

    [Fact]
    public void Centred_PadsBothSides_WhenTheVolumeIsSmaller()
    {
        var window = CropWindow.Centred([5, 20, 20], [8, 8, 8], [0, 0, 0], [4, 19, 19]);
        Assert.Equal(-2, window.X0);
    }

    [Fact]
    public void Prepare_LabelsOutsideConvention_NameTheSegFile()
    {
        var image = Block(6, 6, 6, 0, v => v);
        var labels = image.WithData([.. image.Data.Select(v => v == 0 ? 0f : 3f)]);
        var input = new CaseVolumes(Files(1) with { SegFile = "/d/c/c_seg.nii.gz" }, [image], labels);

        var e = Assert.Throws<SegANException>(() => Preprocessor.Prepare(input, new PreprocessOptions(CropX: 6, CropY: 6, CropZ: 6), LabelConvention.Brats2021));
        Assert.Contains("/d/c/c_seg.nii.gz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaseVolumes_MismatchedShape_NamesCaseAndFile()
    {
        var a = Block(6, 6, 6, 0, v => v);
        var b = Block(6, 6, 5, 0, v => v);

        var e = Assert.Throws<SegANException>(() => new CaseVolumes(Files(2), [a, b], null));
        Assert.Contains("case c", e.Message, StringComparison.Ordinal);
        Assert.Contains("/d/c/m1.nii.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains("6x6x5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaseVolumes_MismatchedAffine_NamesCaseAndFile()
    {
        var a = Block(6, 6, 6, 0, v => v);
        var shifted = new Volume(a.Data, a.Geometry with { Affine = Shift(a.Geometry.Affine, 0.01) });
        var close = new Volume(a.Data, a.Geometry with { Affine = Shift(a.Geometry.Affine, 0.0005) });

        var e = Assert.Throws<SegANException>(() => new CaseVolumes(Files(2), [a, shifted], null));
        Assert.Contains("/d/c/m1.nii.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains("affine", e.Message, StringComparison.Ordinal);
        _ = new CaseVolumes(Files(2), [a, close], null);
    }

    [Fact]
    public void CaseVolumes_SegWithOtherShape_NamesSegFile()
    {
        var a = Block(6, 6, 6, 0, v => v);
        var seg = Block(5, 6, 6, 0, v => 0);

        var e = Assert.Throws<SegANException>(() => new CaseVolumes(Files(1) with { SegFile = "/d/c/seg.nii.gz" }, [a], seg));
        Assert.Contains("/d/c/seg.nii.gz", e.Message, StringComparison.Ordinal);
    }

    internal static CaseFiles Files(int modalities) => new(
        "c", null, "/d/c", [.. Enumerable.Range(0, modalities).Select(i => $"M{i}")], [.. Enumerable.Range(0, modalities).Select(i => $"/d/c/m{i}.nii.gz")], null);

    // A volume with `background` everywhere except a 4x4x4 block at (3..6, 2..5, 3..6) whose voxels are
    // inside(1..64) in storage order.
    private static Volume Block(int nx, int ny, int nz, float background, Func<float, float> inside)
    {
        var volume = new Volume(new float[nx * ny * nz], ImageGeometry.FromSpacing([nx, ny, nz], [1, 1, 1]));
        Array.Fill(volume.Data, background);
        var k = 0;
        for (var z = 3; z < Math.Min(7, nz - 1); z++)
        {
            for (var y = 2; y < 6; y++)
            {
                for (var x = 3; x < 7; x++)
                {
                    volume[x, y, z] = inside(++k);
                }
            }
        }

        return volume;
    }

    private static double[,] Shift(double[,] affine, double by)
    {
        var copy = (double[,])affine.Clone();
        copy[0, 3] += by;
        return copy;
    }
}
