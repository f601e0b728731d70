using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SegAN.Bench;

/// <summary>What the PyTorch reference printed for one configuration.</summary>
internal sealed record YardstickResult(string Torch, int Threads, string Variant, int Batch, int Size, double TrainSlicesPerSecond, double InferSlicesPerSecond);

/// <summary>
/// Runs the PyTorch reference (segan_torch_ref.py, copied beside the bench) with /usr/bin/python3 (or
/// SEGAN_BENCH_PYTHON) in a child process, in the same invocation as our figures so that both see the same machine state.
/// </summary>
internal static class YardstickProbe
{
    public static string Python => Environment.GetEnvironmentVariable("SEGAN_BENCH_PYTHON") ?? "/usr/bin/python3";

    public static string Script => Path.Combine(AppContext.BaseDirectory, "segan_torch_ref.py");

    /// <summary>Null (with the reason) when python or torch is missing.</summary>
    public static string? Unavailable()
    {
        if (!File.Exists(Python))
        {
            return $"{Python} not found";
        }

        if (!File.Exists(Script))
        {
            return $"{Script} not found";
        }

        var (code, _, error) = Run(["-c", "import torch"], TimeSpan.FromMinutes(2));
        return code == 0 ? null : $"torch cannot be imported by {Python}: {error.Trim().Split('\n').LastOrDefault()}";
    }

    public static YardstickResult Measure(string variant, int batch, int size, int iterations, int warmup, int threads)
    {
        var (code, output, error) = Run(
            [Script, "--batch", Str(batch), "--size", Str(size), "--variant", variant, "--iters", Str(iterations), "--warmup", Str(warmup), "--threads", Str(threads)],
            TimeSpan.FromMinutes(30));
        if (code != 0)
        {
            throw new InvalidOperationException($"{Script} exited with {code}: {error.Trim()}");
        }

        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.TrimStart().StartsWith('{'));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        return new YardstickResult(
            root.GetProperty("torch").GetString() ?? "?",
            root.GetProperty("threads").GetInt32(),
            variant,
            batch,
            size,
            root.GetProperty("train_slices_per_s").GetDouble(),
            root.GetProperty("infer_slices_per_s").GetDouble());
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static (int Code, string Output, string Error) Run(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"timed out after {timeout}");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
