using System.Text.Json;
using SegAN.Cli;
using Spectre.Console.Testing;
using TorchSharp;

namespace SegAN.Tests.Cli;

public sealed class InfoCommandTests
{
    [Fact]
    public void Info_Json_ReportsVersionsAndPassingSelfCheck()
    {
        var console = new TestConsole();
        console.Profile.Width = 400;

        var code = SeganApp.Run(["info", "--json", "--device", "cpu"], console);

        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(console.Output);
        var root = json.RootElement;
        Assert.StartsWith("2.10", root.GetProperty("libtorch_version").GetString(), StringComparison.Ordinal);
        Assert.Equal("0.107.0", root.GetProperty("torchsharp_version").GetString());
        Assert.True(root.GetProperty("self_check").GetProperty("ok").GetBoolean());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
    }

    [Fact]
    public void Info_Table_ShowsSelfCheckOk()
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        var code = SeganApp.Run(["info", "--device", "cpu", "--threads", "2"], console);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("self-check", console.Output, StringComparison.Ordinal);
        Assert.Contains("ok", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_DeviceCuda_WithoutCuda_ExitsTwoWithOneLine()
    {
        if (torch.cuda.is_available())
        {
            return;
        }

        var console = new TestConsole();
        console.Profile.Width = 400;
        var code = SeganApp.Run(["info", "--device", "cuda"], console);
        Assert.Equal(ExitCodes.Usage, code);
        var lines = console.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("CUDA is not available", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOption_IsAUsageError()
    {
        var console = new TestConsole();
        var code = SeganApp.Run(["info", "--no-such-option"], console);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--no-such-option", console.Output, StringComparison.Ordinal);
    }
}
