using SegAN.Server;

namespace SegAN.Tests.Server;

public sealed class ImageIdTests
{
    [Theory]
    [InlineData("Phantom001", true)]
    [InlineData("BraTS-GLI-00000-000-t1c", true)]
    [InlineData("scan_1.v2", true)]
    [InlineData("../../etc/passwd", false)]
    [InlineData("..", false)]
    [InlineData("a..b", false)]
    [InlineData(".hidden", false)]
    [InlineData("-dash", false)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("C:", false)]
    [InlineData("my case", false)]
    [InlineData("nul\0byte", false)]
    [InlineData("é", false)]
    [InlineData("", false)]
    public void ImageId_IsAName_NeverAPath(string id, bool valid) => Assert.Equal(valid, ImageId.IsValid(id));

    [Fact]
    public void ImageId_LongerThan128_IsRefused_NamingTheParameter()
    {
        // Given a 129-character ID
        var id = new string('a', 129);

        // When / Then it is a 400 naming the parameter
        var e = Assert.Throws<ServerException>(() => ImageId.Require(id, "image"));
        Assert.Equal(400, e.Status);
        Assert.StartsWith("image 'aaa", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/runs/brats/model.segan", "brats")]
    [InlineData("/exports/seg.onnx", "seg")]
    [InlineData("t1c=/exports/seg.onnx", "t1c")]
    public void ServedModel_IsNamedAfterItsFileOrRunFolder(string text, string name)
    {
        // Given the model file exists
        using var folder = new SegAN.Tests.Export.TempFolder();
        var path = text.Contains('=', StringComparison.Ordinal) ? text[(text.IndexOf('=', StringComparison.Ordinal) + 1)..] : text;
        var local = Path.Combine(folder.Path, path.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        File.WriteAllText(local, "x");

        // When it is parsed from the command line
        var model = ServedModel.Parse(text.Replace(path, local, StringComparison.Ordinal));

        // Then its name is the file's, or the run folder's for model.segan, or the one given
        Assert.Equal(name, model.Name);
    }
}
