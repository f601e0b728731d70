using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Compute;

/// <summary>
/// Versions, threads, devices and a self-check, as printed by <c>segan info</c>; its JSON form (<c>segan info --json</c>,
/// each run's <c>system.json</c>) is written with <see cref="JsonDefaults.Indented"/>.
/// </summary>
public sealed record SystemInfo(
    [property: JsonPropertyName("segan_version")] string SegANVersion,
    [property: JsonPropertyName("torchsharp_version")] string TorchSharpVersion,
    [property: JsonPropertyName("libtorch_version")] string LibTorchVersion,
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("cpu_model")] string CpuModel,
    [property: JsonPropertyName("logical_cores")] int LogicalCores,
    [property: JsonPropertyName("torch_threads")] int TorchThreads,
    [property: JsonPropertyName("cuda_available")] bool CudaAvailable,
    [property: JsonPropertyName("cuda_device_count")] int CudaDeviceCount,
    [property: JsonPropertyName("cpu_supports_bf16")] bool CpuSupportsBf16,
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("self_check")] SelfCheckResult SelfCheck)
{
    /// <summary>The libtorch version this build ships (the native package's version).</summary>
    public const string BundledLibTorchVersion = "2.10.0";

    /// <summary>Collects the information and runs the self-check on <paramref name="device"/>.</summary>
    public static SystemInfo Collect(torch.Device device)
    {
        var cuda = torch.cuda.is_available();
        return new SystemInfo(
            SegANVersion: VersionOf(typeof(SystemInfo).Assembly),
            TorchSharpVersion: VersionOf(typeof(torch).Assembly),
            LibTorchVersion: BundledLibTorchVersion,
            Runtime: RuntimeInformation.FrameworkDescription,
            Os: RuntimeInformation.OSDescription,
            CpuModel: CpuFeatures.ModelName,
            LogicalCores: Environment.ProcessorCount,
            TorchThreads: torch.get_num_threads(),
            CudaAvailable: cuda,
            CudaDeviceCount: cuda ? torch.cuda.device_count() : 0,
            CpuSupportsBf16: CpuFeatures.HasAvx512Bf16,
            Device: device.ToString(),
            SelfCheck: RunSelfCheck(device));
    }

    /// <summary>
    /// A small convolution forward and backward on <paramref name="device"/>, compared with the same
    /// computation done by hand, so that a broken native library is caught before a long run.
    /// </summary>
    public static SelfCheckResult RunSelfCheck(torch.Device device)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var generator = new torch.Generator(7, torch.CPU);
            var x = torch.randn([2, 3, 8, 8], generator: generator).to(device).requires_grad_();
            var w = torch.randn([4, 3, 3, 3], generator: generator).to(device).requires_grad_();
            var y = nn.functional.conv2d(x, w, padding: [1, 1]);
            var loss = y.square().mean();
            loss.backward();

            // d(mean(y^2))/dw = conv of x with 2y/N: check one element against a direct sum.
            var expected = ExpectedGradient(x.detach().cpu(), y.detach().cpu());
            var actual = w.grad!.cpu()[0, 0, 1, 1].item<float>();
            var ok = float.IsFinite(actual) && Math.Abs(actual - expected) <= 1e-3 * Math.Max(1.0, Math.Abs(expected));
            return new SelfCheckResult(ok, ok ? "conv2d forward/backward ok" : $"gradient {actual} != {expected}", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new SelfCheckResult(false, e.Message.Split('\n')[0], watch.Elapsed.TotalMilliseconds);
        }
    }

    private static float ExpectedGradient(Tensor x, Tensor y)
    {
        // Gradient of w[0,0,1,1] (centre tap, output channel 0, input channel 0): sum over n,i,j of 2*y[n,0,i,j]*x[n,0,i,j] / numel(y).
        var xs = x.data<float>().ToArray();
        var ys = y.data<float>().ToArray();
        double sum = 0;
        for (var n = 0; n < 2; n++)
        {
            for (var i = 0; i < 64; i++)
            {
                sum += 2.0 * ys[(n * 4 * 64) + i] * xs[(n * 3 * 64) + i];
            }
        }

        return (float)(sum / ys.Length);
    }

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString()
        ?? "unknown";
}

/// <summary>Outcome of <see cref="SystemInfo.RunSelfCheck"/>.</summary>
public sealed record SelfCheckResult(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("milliseconds")] double Milliseconds);
