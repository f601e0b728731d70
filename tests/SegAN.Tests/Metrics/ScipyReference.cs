using System.Diagnostics;
using System.Globalization;

namespace SegAN.Tests.Metrics;

/// <summary>
/// Runs a Python script with SciPy (the independent reference). Skips the calling test when /usr/bin/python3 or
/// SciPy is missing, except under CI=true, where a missing reference is a failure.
/// </summary>
internal static class ScipyReference
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python))
        {
            return $"{Python} not found";
        }

        var (code, _, err) = RunProcess("-c \"import scipy.ndimage, numpy\"", null);
        return code == 0 ? null : $"scipy not importable: {err.Trim()}";
    });

    /// <summary>Skips (or fails under CI) when the reference is unavailable.</summary>
    public static void RequireOrSkip()
    {
        var missing = Missing.Value;
        if (missing is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"CI=true but the SciPy reference is unavailable: {missing}");
        }

        Skip.If(true, $"SciPy reference unavailable: {missing}");
    }

    /// <summary>Runs <paramref name="script"/> in <paramref name="workDir"/>; returns stdout, failing the test on a non-zero exit.</summary>
    public static string Run(string script, string workDir)
    {
        var path = Path.Combine(workDir, "reference.py");
        File.WriteAllText(path, script);
        var (code, output, error) = RunProcess($"\"{path}\"", workDir);
        Assert.True(code == 0, $"python failed ({code}): {error}");
        return output;
    }

    public static double[] ParseNumbers(string output) => output
        .Split(['\n', ' '], StringSplitOptions.RemoveEmptyEntries)
        .Select(s => double.Parse(s, CultureInfo.InvariantCulture))
        .ToArray();

    private static (int Code, string Output, string Error) RunProcess(string arguments, string? workDir)
    {
        var info = new ProcessStartInfo(Python, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workDir is not null)
        {
            info.WorkingDirectory = workDir;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
