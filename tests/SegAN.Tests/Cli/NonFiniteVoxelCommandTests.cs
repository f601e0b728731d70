using SegAN.Cli;
using SegAN.Data;
using SegAN.Imaging;
using static SegAN.Tests.Cli.HostileCliFixture;

namespace SegAN.Tests.Cli;

/// <summary>
/// Issue 15, class 5: NaN and infinite voxels count as background, with a warning naming the file and the count,
/// in <c>dataset --check</c>, <c>predict</c> and <c>train</c> alike.
/// </summary>
[Collection(HostileCliCollection.Name)]
public sealed class NonFiniteVoxelCommandTests(HostileCliFixture fixture)
{
    // A copy of the dataset whose Phantom001 FLAIR (float32) has 7 NaN and 3 infinite voxels inside the head.
    private (string Data, string Flair) Poisoned(string name)
    {
        var data = fixture.CopyData(name);
        var flair = Path.Combine(data, "Phantom001", "Phantom001_flair.nii.gz");
        var volume = ImageFile.Read(flair);
        var values = (float[])volume.Data.Clone();
        var centre = volume.Index(16, 16, 16);
        for (var i = 0; i < 10; i++)
        {
            values[centre + i] = i < 7 ? float.NaN : i == 7 ? float.NegativeInfinity : float.PositiveInfinity;
        }

        NiftiFile.Write(flair, volume.WithData(values), NiftiDataType.Float32);
        return (data, flair);
    }

    [Fact]
    public void NonFiniteVoxels_BecomeTheBackground_AndAreCounted()
    {
        // Given a 3x3x3 volume of background 5 with a NaN in the middle and an infinity on a face
        var data = Enumerable.Repeat(5f, 27).ToArray();
        data[13] = 9;
        data[4] = float.NaN;
        data[0] = float.PositiveInfinity;
        var volume = new Volume(data, ImageGeometry.FromSpacing([3, 3, 3], [1, 1, 1]));

        var cleaned = NonFiniteVoxels.Replace(volume, out var count);

        Assert.Equal(2, count);
        Assert.Equal(5f, cleaned.Data[4]);
        Assert.Equal(5f, cleaned.Data[0]);
        Assert.Equal(9f, cleaned.Data[13]);
        Assert.True(float.IsNaN(volume.Data[4]), "the input is not changed");
        Assert.Same(cleaned, NonFiniteVoxels.Replace(cleaned, out var none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void DatasetCheck_ReportsTheFileAndTheCount_AndStillChecksTheCase()
    {
        var (data, flair) = Poisoned("data-nan-check");

        var (code, text) = Segan("dataset", data, "--check");

        Assert.True(code == ExitCodes.Ok, text);
        Assert.Contains($"warning: {flair}: 10 of 32768 voxels are NaN or infinite; they count as background", text, StringComparison.Ordinal);
        Assert.Contains("ok Phantom001", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_WarnsAndWritesFiniteProbabilities()
    {
        var (data, flair) = Poisoned("data-nan-predict");
        var output = Path.Combine(fixture.Root, "pred-nan");

        var (code, text) = Segan("predict", "-m", fixture.Model, "-i", data, "-o", output, "--probabilities");

        Assert.True(code == ExitCodes.Ok, text);
        Assert.Contains($"warning: {flair}: 10 of 32768 voxels", text, StringComparison.Ordinal);
        foreach (var region in new[] { "WT", "TC", "ET" })
        {
            Assert.All(ImageFile.Read(Path.Combine(output, $"Phantom001_prob_{region}.nii.gz")).Data, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void Train_WarnsAndCompletes_InsteadOfDiverging()
    {
        var (data, flair) = Poisoned("data-nan-train");
        var run = Path.Combine(fixture.Root, "run-nan");

        var (code, text) = Segan("train", "--data", data, "--out", run, "--steps", "2", "--batch", "2", "--depth", "1", "--critic-depth", "1", "--width", "2", "--slice-size", "16", "--crop", "24x24x16", "--val-fraction", "0", "--device", "cpu");

        Assert.True(code == ExitCodes.Ok, text);
        Assert.Contains($"warning: {flair}: 10 of 32768 voxels", text, StringComparison.Ordinal);
        Assert.Contains("completed", text, StringComparison.Ordinal);
    }
}
