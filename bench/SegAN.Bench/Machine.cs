using System.Globalization;
using SegAN.Compute;
using TorchSharp;

namespace SegAN.Bench;

/// <summary>The machine a figure was measured on; printed and stored beside every result.</summary>
internal sealed record Machine(
    string CpuModel,
    int LogicalCores,
    bool Avx512F,
    bool Avx512Bf16,
    int TorchThreads,
    string LoadAverage,
    string Runtime,
    string LibTorch,
    bool Gpu)
{
    public static Machine Describe() => new(
        CpuFeatures.ModelName,
        Environment.ProcessorCount,
        CpuFeatures.HasAvx512,
        CpuFeatures.HasAvx512Bf16,
        torch.get_num_threads(),
        LoadAverageNow(),
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        SystemInfo.BundledLibTorchVersion,
        torch.cuda.is_available());

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg): above the core count, timings are not trustworthy.</summary>
    public static string LoadAverageNow() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The one-minute load average, or NaN.</summary>
    public static double OneMinuteLoad() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
}
