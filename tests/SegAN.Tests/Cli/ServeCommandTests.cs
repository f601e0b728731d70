using SegAN.Cli;
using SegAN.Cli.Commands;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("512K", 512L * 1024)]
    [InlineData("100m", 100L * 1024 * 1024)]
    [InlineData("2G", 2L * 1024 * 1024 * 1024)]
    public void ParseSize_ReadsBytesAndSuffixes(string text, long bytes) => Assert.Equal(bytes, ServeCommand.ParseSize(text));

    [Theory]
    [InlineData("--max-upload", "12X", "--max-upload '12X'")]
    [InlineData("--host", "example.org", "--host 'example.org'")]
    [InlineData("--port", "70000", "--port 70000")]
    public void Serve_BadOption_ExitsTwo_NamingTheOptionAndValue(string option, string value, string expected)
    {
        // Given a model file
        using var folder = new SegAN.Tests.Export.TempFolder();
        var model = SegAN.Tests.Export.ExportTestModels.SaveModel(folder.Path, SegAN.Models.Variant.S3_3C);

        // When serve is started with a bad value
        var console = new TestConsole();
        console.Profile.Width = 400;
        var code = SeganApp.Run(["serve", "-m", model, option, value, "--uploads", folder.File("uploads")], console);

        // Then it exits 2 with a message naming the option and the value, before listening
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_MissingModelFile_ExitsTwo()
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        Assert.Equal(ExitCodes.Usage, SeganApp.Run(["serve", "-m", "/no/such/model.segan"], console));
        Assert.Contains("/no/such/model.segan: file not found", console.Output, StringComparison.Ordinal);
    }
}
