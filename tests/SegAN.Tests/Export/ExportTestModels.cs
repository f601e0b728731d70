using System.Diagnostics;
using System.Text.Json;
using SegAN.Models;
using SegAN.Persistence;
using TorchSharp;
using TorchSharp.Modules;

namespace SegAN.Tests.Export;

/// <summary>Small segmentors with random weights and non-trivial batch-norm statistics, for export tests.</summary>
internal static class ExportTestModels
{
    public static readonly string[] Modalities = ["t1", "t2"];

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static TheoryData<Variant> AllVariants()
    {
        var data = new TheoryData<Variant>();
        foreach (var v in VariantExtensions.All)
        {
            data.Add(v);
        }

        return data;
    }

    /// <summary>
    /// A narrow segmentor (base width 4) for two modalities whose batch norms have random running statistics and
    /// affine parameters, so that folding them into the convolutions is exercised.
    /// </summary>
    public static RegionSegmentor Random(Variant variant, int depth = 4, int baseWidth = 4, int seed = 3)
    {
        torch.manual_seed(seed);
        var model = new RegionSegmentor(new SegANArchitecture(variant, Modalities.Length, depth, baseWidth));
        using var noGrad = torch.no_grad();
        foreach (var (name, module) in model.named_modules())
        {
            // Default initialisation leaves the outputs near 0.5; larger output weights spread the probabilities
            // so that the comparison sees the whole sigmoid, not only its linear middle.
            if (module is Conv2d conv && name.EndsWith($"up.{depth - 1}.conv", StringComparison.Ordinal))
            {
                conv.weight!.mul_(10);
            }

            if (module is BatchNorm2d bn)
            {
                bn.running_mean!.copy_(torch.randn(bn.running_mean.shape) * 0.2);
                bn.running_var!.copy_(torch.rand(bn.running_var.shape) + 0.5);
                bn.weight!.copy_(torch.rand(bn.weight.shape) + 0.5);
                bn.bias!.copy_(torch.randn(bn.bias.shape) * 0.2);
            }
        }

        model.eval();
        return model;
    }

    public static ModelMetadata Metadata()
    {
        using var preprocessing = JsonDocument.Parse("{\"normalisation\":\"zscore\",\"clip\":[-5,5]}");
        return new ModelMetadata(Modalities, "brats-2017", preprocessing.RootElement.Clone(), Step: 120, ValidationDice: 0.5);
    }

    /// <summary>The header <see cref="ModelFile.Save"/> would write for <paramref name="model"/>.</summary>
    public static ModelHeader Header(RegionSegmentor model)
    {
        var m = Metadata();
        return new ModelHeader(ModelFile.FormatVersion, model.Architecture, Modalities, m.LabelConvention, m.Preprocessing, m.Step, m.ValidationDice, DateTimeOffset.UnixEpoch);
    }

    /// <summary>Saves a random segmentor as <c>model.segan</c> in <paramref name="folder"/>; returns its path.</summary>
    public static string SaveModel(string folder, Variant variant, int depth = 2, int baseWidth = 4)
    {
        using var model = Random(variant, depth, baseWidth);
        var path = Path.Combine(folder, ModelFile.FileName);
        ModelFile.Save(path, model, Metadata());
        return path;
    }

    public static float[] RandomImages(int n, int c, int h, int w, int seed)
    {
        var random = new Random(seed);
        var x = new float[n * c * h * w];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return x;
    }

    public static float MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    /// <summary>Runs a python3 script with the onnx package (argv[1..] = args); skips when either is missing, except under CI=true.</summary>
    public static string PythonOnnx(string script, params string[] args) => Python("onnx", "python3-onnx", script, args);

    /// <summary>
    /// Runs a python3 script that needs <paramref name="module"/> (Debian package <paramref name="package"/>);
    /// skips when python3 or the module is missing, except under CI=true where that fails.
    /// </summary>
    public static string Python(string module, string package, string script, params string[] args)
    {
        const string python = "/usr/bin/python3";
        var available = File.Exists(python) && Run(python, ["-c", $"import {module}"]).Code == 0;
        if (!available)
        {
            Assert.False(IsCi, $"python3 with {module} (Debian {package}) is required under CI=true");
            Skip.If(true, $"python3 with {module} (Debian {package}) is not installed");
        }

        var (code, stdout, stderr) = Run(python, ["-c", script, .. args]);
        Assert.True(code == 0, $"python3 failed ({code}): {stderr}");
        return stdout;
    }

    private static (int Code, string Stdout, string Stderr) Run(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("segan-onnx-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a native library; the OS cleans the temp folder.
        }
    }
}
