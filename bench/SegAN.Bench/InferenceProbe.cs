using System.Diagnostics;
using SegAN.Compute;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Bench;

/// <summary>One inference configuration's speed.</summary>
internal sealed record InferenceResult(string Engine, int Batch, int Size, int Iterations, double SlicesPerSecond, double AchievedGflops, double PeakResidentMiB);

/// <summary>
/// Times prediction of random slices with the library's engines (TorchSharp and ONNX Runtime, opened through
/// <see cref="EngineFactory"/> as <c>segan predict</c> does) and, as levers, the TorchSharp segmentor with a
/// channels-last input and in bfloat16.
/// </summary>
internal static class InferenceProbe
{
    /// <summary>Writes a randomly initialised S3-3C <c>model.segan</c> (weights do not change the speed) to <paramref name="folder"/>.</summary>
    public static string WriteModel(string folder, int channels = 3, int baseWidth = 64)
    {
        var path = Path.Combine(folder, ModelFile.FileName);
        torch.random.manual_seed(0);
        using var segmentor = new RegionSegmentor(new SegANArchitecture(Variant.S3_3C, channels, BaseWidth: baseWidth));
        string[] modalities = channels == 3 ? ["t1ce", "t2", "flair"] : [.. Enumerable.Range(0, channels).Select(i => $"m{i}")];
        ModelFile.Save(path, segmentor, new ModelMetadata(modalities, "brats-2017"));
        return path;
    }

    public static InferenceResult MeasureEngine(string modelPath, EngineKind kind, int threads, int batch, int size, int warmup, int iterations)
    {
        GC.Collect();
        ProcessMemory.ResetPeak();
        using var engine = EngineFactory.Open(modelPath, kind, DeviceSpec.Cpu, threads);
        var images = TrainingProbe.RandomBatch(batch, engine.Model.InChannels, size, seed: 3).Images;
        var seconds = Time(() => engine.PredictRegions(images, batch, engine.Model.InChannels, size, size), warmup, iterations);
        return Result(engine.Name, modelPath, batch, size, iterations, seconds);
    }

    /// <summary>The TorchSharp segmentor with a lever applied: "channels-last" input, or "bf16" weights and input.</summary>
    public static InferenceResult MeasureTorchLever(string modelPath, string lever, int batch, int size, int warmup, int iterations)
    {
        GC.Collect();
        ProcessMemory.ResetPeak();
        using var loaded = ModelFile.Load(modelPath);
        var model = loaded.Segmentor;
        var bf16 = lever == "bf16";
        if (bf16)
        {
            model.to(ScalarType.BFloat16);
        }

        var images = TrainingProbe.RandomBatch(batch, model.Architecture.InChannels, size, seed: 3).Images;
        var seconds = Time(
            () =>
            {
                using var scope = torch.NewDisposeScope();
                using var mode = torch.inference_mode();
                var x = torch.tensor(images, [batch, model.Architecture.InChannels, size, size]);
                x = lever switch
                {
                    "bf16" => x.to(ScalarType.BFloat16),

                    // NHWC storage behind the NCHW view: libtorch's convolutions then keep channels last throughout.
                    "channels-last" => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2),
                    _ => x,
                };
                return model.forward(x).to(ScalarType.Float32).contiguous().data<float>().ToArray();
            },
            warmup,
            iterations);
        return Result("torch-" + lever, modelPath, batch, size, iterations, seconds);
    }

    /// <summary>Predictions of <paramref name="images"/> (n, c, size, size) by the TorchSharp segmentor in float32 and in bfloat16.</summary>
    public static (float[] Float32, float[] BFloat16) PredictBoth(string modelPath, float[] images, int n, int size)
    {
        using var loaded = ModelFile.Load(modelPath);
        var model = loaded.Segmentor;
        var c = model.Architecture.InChannels;
        float[] Run(ScalarType type)
        {
            using var scope = torch.NewDisposeScope();
            using var mode = torch.inference_mode();
            var x = torch.tensor(images, [n, c, size, size]).to(type);
            return model.forward(x).to(ScalarType.Float32).contiguous().data<float>().ToArray();
        }

        var f32 = Run(ScalarType.Float32);
        model.to(ScalarType.BFloat16);
        return (f32, Run(ScalarType.BFloat16));
    }

    private static InferenceResult Result(string engine, string modelPath, int batch, int size, int iterations, double seconds)
    {
        var architecture = ModelFile.ReadHeader(modelPath).Architecture;
        var slicesPerSecond = batch / seconds;
        return new InferenceResult(engine, batch, size, iterations, slicesPerSecond, FlopCount.InferencePerSlice(architecture, size, size) * slicesPerSecond / 1e9, ProcessMemory.PeakMiB());
    }

    private static double Time(Func<float[]> predict, int warmup, int iterations)
    {
        for (var i = 0; i < warmup; i++)
        {
            predict();
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            predict();
        }

        return watch.Elapsed.TotalSeconds / iterations;
    }
}
