using System.Text.Json;
using SegAN.Cli;
using SegAN.Imaging;
using SegAN.Tests.Imaging;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class InspectCommandTests
{
    private static (int Code, string Output) Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var code = SeganApp.Run(args, console);
        return (code, console.Output);
    }

    [Fact]
    public void Inspect_Json_HasExactlyTheDocumentedKeys()
    {
        // Given a float32 image with many distinct non-integral values
        using var dir = new TempDir();
        var path = dir.File("t1.nii.gz");
        var ramp = ImagingTestSupport.Ramp(4, 3, 2, i => i * 0.5f);
        NiftiFile.Write(path, new Volume(ramp.Data, ImageGeometry.FromSpacing([4, 3, 2], [0.9, 1.1, 2.2])));

        // When inspected as JSON
        var (code, output) = Run("inspect", path, "--json");

        // Then the keys are exactly these, with the values of the file, and no labels
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(
            ["format", "shape", "spacing", "datatype", "endianness", "affine", "orientation", "min", "max", "mean"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("NIfTI-1", root.GetProperty("format").GetString());
        Assert.Equal([4L, 3, 2], root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        Assert.Equal([0.9, 1.1, 2.2], root.GetProperty("spacing").EnumerateArray().Select(e => e.GetDouble()).ToArray()); // not float32 noise
        Assert.Equal("float32", root.GetProperty("datatype").GetString());
        Assert.Equal("little", root.GetProperty("endianness").GetString());
        Assert.Equal("RAS", root.GetProperty("orientation").GetString());
        Assert.Equal(4, root.GetProperty("affine").GetArrayLength());
        Assert.Equal(0.0, root.GetProperty("min").GetDouble());
        Assert.Equal(11.5, root.GetProperty("max").GetDouble());
        Assert.Equal(5.75, root.GetProperty("mean").GetDouble(), 6);
    }

    [Fact]
    public void Inspect_LabelMap_ListsItsLabels()
    {
        // Given a uint8 label map with values 0, 1, 2 and 4
        using var dir = new TempDir();
        var path = dir.File("seg.nii");
        NiftiFile.Write(path, ImagingTestSupport.Ramp(4, 2, 1, i => new[] { 0f, 1, 2, 4 }[i % 4]), NiftiDataType.UInt8, bigEndian: true);

        // When inspected as JSON
        var (code, output) = Run("inspect", path, "--json");

        // Then the labels are listed, and the byte order is big
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal([0L, 1, 2, 4], json.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        Assert.Equal("big", json.RootElement.GetProperty("endianness").GetString());
        Assert.Equal("uint8", json.RootElement.GetProperty("datatype").GetString());
    }

    [Fact]
    public void Inspect_Table_ShowsOrientationAndLabels()
    {
        using var dir = new TempDir();
        var path = dir.File("seg.nii.gz");
        var affine = new double[,] { { -1, 0, 0, 0 }, { 0, -1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
        NiftiFile.Write(path, new Volume([0, 1, 1, 0], new ImageGeometry([2, 2, 1], [1, 1, 1], affine)), NiftiDataType.Int16);

        var (code, output) = Run("inspect", path);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("LPS", output, StringComparison.Ordinal);
        Assert.Contains("labels", output, StringComparison.Ordinal);
        Assert.Contains("int16", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_MissingFile_ExitsTwoWithOneLineNamingIt()
    {
        using var dir = new TempDir();
        var path = dir.File("absent.nii.gz");

        var (code, output) = Run("inspect", path);

        Assert.Equal(ExitCodes.Usage, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("absent.nii.gz", lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("broken.nii")]
    [InlineData("broken.mha")]
    [InlineData("broken.txt")]
    public void Inspect_BadFile_ExitsTwo(string name)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllText(path, "this is not an image\0\0\0");

        var (code, output) = Run("inspect", path);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [SkippableFact]
    public void Inspect_SharedFourDimensionalFile_ReportsItsShape()
    {
        var path = Path.Combine(ImagingTestSupport.NiftiTestData(), "functional.nii");

        var (code, output) = Run("inspect", path, "--json");

        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal([17L, 21, 3, 20], json.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        Assert.Equal("int16", json.RootElement.GetProperty("datatype").GetString());
        Assert.False(json.RootElement.TryGetProperty("labels", out _)); // scaled, non-integral intensities
    }
}
