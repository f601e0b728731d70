using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SegAN.Compute;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan info</c>: versions, threads, devices and a self-check on the chosen device.</summary>
internal static class InfoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("info", "Show SegAN, TorchSharp and libtorch versions, threads, CUDA devices, and run a self-check (exit 1 when it fails).")
        {
            device, threads, json,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var torchDevice = CommandRunner.InitializeCompute(parse.GetValue(device)!, parse.GetValue(threads));
            var info = SystemInfo.Collect(torchDevice);
            if (parse.GetValue(json))
            {
                console.WriteLine(JsonSerializer.Serialize(info, JsonDefaults.Indented));
            }
            else
            {
                Print(console, info);
            }

            return info.SelfCheck.Ok ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    private static void Print(IAnsiConsole console, SystemInfo info)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("item").AddColumn("value");
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("SegAN.NET", info.SegANVersion);
        Row("TorchSharp", info.TorchSharpVersion);
        Row("libtorch", info.LibTorchVersion);
        Row(".NET", info.Runtime);
        Row("OS", info.Os);
        Row("CPU", info.CpuModel);
        Row("logical cores", info.LogicalCores.ToString(CultureInfo.InvariantCulture));
        Row("torch threads", info.TorchThreads.ToString(CultureInfo.InvariantCulture));
        Row("AVX512-BF16", info.CpuSupportsBf16 ? "yes" : "no");
        Row("CUDA", info.CudaAvailable ? $"yes, {info.CudaDeviceCount} device(s)" : "not available");
        Row("device", info.Device);
        table.AddRow(
            "self-check",
            info.SelfCheck.Ok
                ? $"[green]ok[/] ({Markup.Escape(info.SelfCheck.Message)}, {info.SelfCheck.Milliseconds:F0} ms)"
                : $"[red]failed[/]: {Markup.Escape(info.SelfCheck.Message)}");
        console.Write(table);
    }
}
