using System.Diagnostics;
using System.Globalization;
using SegAN.Imaging;

namespace SegAN.Tests.Imaging;

/// <summary>
/// Shared helpers for imaging tests: a temporary folder, the shared test data, and the independent tools
/// (nifti_tool, python3 with nibabel) the tests compare against. Tests skip when a tool or the data is missing,
/// except under CI=true where that is a failure.
/// </summary>
internal static class ImagingTestSupport
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The shared NIfTI test data folder (…/shared/testdata/nifti beside the repository root), or skip.</summary>
    public static string NiftiTestData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "testdata", "nifti"), Path.Combine(dir.FullName, "..", "shared", "testdata", "nifti") })
            {
                if (Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        Assert.False(IsCi, "shared/testdata/nifti not found beside the repository (required under CI=true)");
        Skip.If(true, "shared/testdata/nifti not found beside the repository");
        return "";
    }

    /// <summary>Runs a program; skips (or fails under CI) when it is not installed.</summary>
    public static string RunTool(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        Process? process;
        try
        {
            process = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            process = null;
        }

        if (process is null)
        {
            Assert.False(IsCi, $"{program} is required under CI=true");
            Skip.If(true, $"{program} is not installed");
        }

        using (process)
        {
            var stdout = process!.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {stderr}");
            return stdout.Result;
        }
    }

    /// <summary>Runs a python snippet with nibabel (argv[1..] = args); skips when python3 or nibabel is missing.</summary>
    public static string Nibabel(string script, params string[] args)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python))
        {
            Assert.False(IsCi, "/usr/bin/python3 is required under CI=true");
            Skip.If(true, "/usr/bin/python3 is not installed");
        }

        var probe = RunProbe(python, "import nibabel");
        if (!probe)
        {
            Assert.False(IsCi, "python3-nibabel is required under CI=true");
            Skip.If(true, "nibabel is not installed");
        }

        return RunTool(python, ["-c", script, .. args]);
    }

    public static string[] Numbers(string text) =>
        text.Split([' ', '\n', '\r', '\t', ',', '[', ']'], StringSplitOptions.RemoveEmptyEntries);

    public static double Number(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>A small volume with values 0, 1, 2... scaled, and a non-trivial geometry.</summary>
    public static Volume Ramp(int nx, int ny, int nz, Func<int, float>? value = null)
    {
        var data = new float[nx * ny * nz];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = value?.Invoke(i) ?? i;
        }

        return new Volume(data, ImageGeometry.FromSpacing([nx, ny, nz], [1, 1, 1]));
    }

    private static bool RunProbe(string program, string code)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(code);
        using var p = Process.Start(info)!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}

/// <summary>A temporary folder deleted at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "segan-imaging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
