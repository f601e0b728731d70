using System.Diagnostics;
using SegAN.Data;
using SegAN.Models;
using SegAN.Training;

namespace SegAN.Bench;

/// <summary>One training configuration's speed and memory.</summary>
internal sealed record TrainingResult(
    string Variant,
    int Batch,
    int Size,
    int Iterations,
    double SecondsPerStep,
    double SlicesPerSecond,
    double GflopPerSlice,
    double AchievedGflops,
    double PeakResidentMiB);

/// <summary>
/// Times <see cref="AdversarialTrainer.Step"/> on random batches (the yardstick's data: normal images, 30 % positive
/// targets), after warm-up steps, with the paper's settings (RMSProp, learning rate 2e-5, clip 0.05, default Dice weight).
/// </summary>
internal static class TrainingProbe
{
    public static TrainingResult Measure(Variant variant, int batch, int size, int warmup, int iterations, bool channelsLast = true, int channels = 3, int baseWidth = 64)
    {
        var architecture = new SegANArchitecture(variant, channels, BaseWidth: baseWidth);
        GC.Collect();
        ProcessMemory.ResetPeak();
        using var trainer = new AdversarialTrainer(architecture, OptimizerKind.RmsProp, 2e-5, 0.05, TrainOptions.DefaultDiceWeight, seed: 0) { ChannelsLast = channelsLast };
        var data = RandomBatch(batch, channels, size, seed: 1);
        for (var i = 0; i < warmup; i++)
        {
            trainer.Step(data, 2e-5);
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            trainer.Step(data, 2e-5);
        }

        var seconds = watch.Elapsed.TotalSeconds / iterations;
        var flops = FlopCount.TrainingPerSlice(architecture, size, size);
        var slicesPerSecond = batch / seconds;
        return new TrainingResult(variant.CliName() + (channelsLast ? "" : " nchw"), batch, size, iterations, seconds, slicesPerSecond, flops / 1e9, flops * slicesPerSecond / 1e9, ProcessMemory.PeakMiB());
    }

    /// <summary>Random images (standard normal) and 0/1 targets with 30 % ones, as the PyTorch yardstick draws them.</summary>
    public static SliceBatch RandomBatch(int batch, int channels, int size, int seed)
    {
        var random = new Random(seed);
        var plane = size * size;
        var images = new float[batch * channels * plane];
        for (var i = 0; i < images.Length; i++)
        {
            // Box-Muller: a normal sample from two uniforms.
            images[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        var targets = new float[batch * SliceBatch.RegionCount * plane];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = random.NextDouble() > 0.7 ? 1 : 0;
        }

        return new SliceBatch(images, targets, batch, channels, size, size);
    }

    /// <summary>
    /// Resident memory over many small training steps: native memory that grows with the step count is a leak
    /// (an undisposed tensor per step). Returns (step, MiB) samples.
    /// </summary>
    public static IReadOnlyList<(int Step, double ResidentMiB)> ResidentOverSteps(int steps, int samples, int size = 32, int batch = 4)
    {
        var architecture = new SegANArchitecture(Variant.S3_3C, 3, BaseWidth: 8);
        using var trainer = new AdversarialTrainer(architecture, OptimizerKind.RmsProp, 2e-5, 0.05, TrainOptions.DefaultDiceWeight, seed: 0);
        var data = RandomBatch(batch, 3, size, seed: 2);
        var result = new List<(int, double)>();
        var every = Math.Max(1, steps / samples);
        for (var step = 1; step <= steps; step++)
        {
            trainer.Step(data, 2e-5);
            if (step % every == 0)
            {
                GC.Collect();
                result.Add((step, ProcessMemory.ResidentMiB()));
            }
        }

        return result;
    }
}
