using SegAN.Data;
using SegAN.Inference;
using SegAN.Metrics;
using SegAN.Persistence;

namespace SegAN.Bench;

/// <summary>Dice against the truth of the float32 and bfloat16 torch engines on the same model and cases.</summary>
internal sealed record BFloat16Dice(string Model, int Cases, double[] Float32, double[] BFloat16, double MaxDifference);

/// <summary>
/// The accuracy check of bfloat16 inference: a trained model (<c>--model</c>) segments phantom cases it has not
/// seen (seed 1) with the float32 and the bfloat16 torch engine; Dice per region (WT, TC, ET) should differ by at most 0.005.
/// </summary>
internal static class BFloat16Check
{
    public static BFloat16Dice Measure(string modelPath, int cases, int threads)
    {
        var header = ModelFile.ReadHeader(modelPath);
        var labels = LabelNames.ParseConvention(header.LabelConvention);
        var f32 = new double[3];
        var bf16 = new double[3];
        for (var i = 0; i < cases; i++)
        {
            using var probe = CaseProbe.Create(96, 96, seed: 1, index: i, names: [.. header.Modalities]);
            var truth = BratsLabels.ToRegions(probe.Truth!.Data, labels, "phantom truth");
            var (_, a) = probe.Run(modelPath, EngineKind.Torch, threads, 16, parallelRead: false);
            var (_, b) = probe.Run(modelPath, EngineKind.Torch, threads, 16, parallelRead: false, bfloat16: true);
            var ra = BratsLabels.ToRegions(a.Data, labels, "float32 prediction");
            var rb = BratsLabels.ToRegions(b.Data, labels, "bfloat16 prediction");
            var n = truth.Length / 3;
            for (var r = 0; r < 3; r++)
            {
                f32[r] += ConfusionCounts.Count(ra.AsSpan(r * n, n), truth.AsSpan(r * n, n)).Dice / cases;
                bf16[r] += ConfusionCounts.Count(rb.AsSpan(r * n, n), truth.AsSpan(r * n, n)).Dice / cases;
            }
        }

        return new BFloat16Dice(modelPath, cases, f32, bf16, f32.Zip(bf16).Max(p => Math.Abs(p.First - p.Second)));
    }
}
