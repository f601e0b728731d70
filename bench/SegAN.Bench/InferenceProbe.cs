using System.Diagnostics;
using SegAN.Compute;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;
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
    public static string WriteModel(string folder, InferenceRecipe recipe)
    {
        var path = Path.Combine(folder, ModelFile.FileName);
        torch.random.manual_seed(0);
        using var segmentor = new RegionSegmentor(new SegANArchitecture(Variant.S3_3C, 3));
        ModelFile.Save(path, segmentor, new ModelMetadata(["T1c", "T2", "FLAIR"], "brats2021", recipe.ToPreprocessingJson()));
        return path;
    }

    public static InferenceResult MeasureEngine(string modelPath, EngineKind kind, int threads, int batch, int size, int warmup, int iterations, bool bfloat16 = false)
    {
        GC.Collect();
        ProcessMemory.ResetPeak();
        using var engine = EngineFactory.Open(modelPath, kind, DeviceSpec.Cpu, threads, bfloat16);
        var images = TrainingProbe.RandomBatch(batch, engine.Model.InChannels, size, seed: 3).Images;
        var seconds = Time(() => engine.PredictRegions(images, batch, engine.Model.InChannels, size, size), warmup, iterations);
        return Result(engine.Name + (bfloat16 ? "-bf16" : ""), modelPath, batch, size, iterations, seconds);
    }

    /// <summary>
    /// The TorchSharp segmentor outside the engine, to measure what the engine's choices bring: "nchw" (the default
    /// layout, no channels last), "bf16-nchw" (bfloat16 without channels last), "channels-last" (as the engine).
    /// </summary>
    public static InferenceResult MeasureTorchLever(string modelPath, string lever, int batch, int size, int warmup, int iterations)
    {
        GC.Collect();
        ProcessMemory.ResetPeak();
        using var loaded = ModelFile.Load(modelPath);
        var model = loaded.Segmentor;
        var bf16 = lever.StartsWith("bf16", StringComparison.Ordinal);
        var channelsLast = lever.EndsWith("channels-last", StringComparison.Ordinal);
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
                x = bf16 ? x.to(ScalarType.BFloat16) : x;
                x = channelsLast ? OpsProbe.ChannelsLast(x) : x;
                return model.forward(x).to(ScalarType.Float32).contiguous().data<float>().ToArray();
            },
            warmup,
            iterations);
        return Result("torch-" + lever + " (lever)", modelPath, batch, size, iterations, seconds);
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
