using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegAN.Bench;

/// <summary>Resident memory after a number of training steps.</summary>
internal sealed record ResidentSample(int Step, double ResidentMiB);

/// <summary>One speed or memory target of the performance issue, and whether this run met it.</summary>
internal sealed record TargetResult(string Name, string Goal, double? Measured, bool? Met);

/// <summary>Everything one bench invocation measured; serialised to the JSON file.</summary>
internal sealed class BenchReport
{
    /// <summary>Speed targets on the 2-core reference machine (ratios to the PyTorch yardstick on the same machine).</summary>
    public const double SpeedupGoal = 1.3;

    public const double CaseSecondsGoal = 8;

    public const double Batch64MemoryGoalMiB = 8 * 1024;

    public const double GrowthGoalMiB = 10;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public bool Quick { get; init; }

    public required Machine Machine { get; init; }

    public double? MatmulGflops { get; set; }

    public double GflopPerTrainingSlice { get; set; }

    public double GflopPerInferenceSlice { get; set; }

    public List<TrainingResult> Training { get; } = [];

    public List<InferenceResult> Inference { get; } = [];

    public List<CaseResult> Cases { get; } = [];

    public List<ServeResult> Serve { get; } = [];

    public List<string> Io { get; } = [];

    public BFloat16Dice? BFloat16Dice { get; set; }

    public List<string> Ops { get; } = [];

    public List<ResidentSample>? ResidentOverSteps { get; set; }

    public double? ResidentGrowthMiB { get; set; }

    public YardstickResult? Yardstick { get; set; }

    public string? YardstickSkipped { get; set; }

    public double? TrainRatio { get; private set; }

    public double? InferRatio { get; private set; }

    public double PeakResidentMiB { get; private set; }

    public List<TargetResult> Targets { get; } = [];

    /// <summary>Ratios to the yardstick and the targets, from what was measured.</summary>
    public void Finish()
    {
        PeakResidentMiB = Math.Max(ProcessMemory.PeakMiB(), Training.Concat<object>(Inference).Concat(Cases).Select(PeakOf).DefaultIfEmpty(0).Max());
        var train = Training.FirstOrDefault(t => t.Variant == "s3-3c" && t.Batch == Yardstick?.Batch);
        var bestInfer = Inference.Where(i => !i.Engine.EndsWith("(lever)", StringComparison.Ordinal) && i.Batch == Yardstick?.Batch).MaxBy(i => i.SlicesPerSecond);
        TrainRatio = train is not null && Yardstick is not null ? train.SlicesPerSecond / Yardstick.TrainSlicesPerSecond : null;
        InferRatio = bestInfer is not null && Yardstick is not null ? bestInfer.SlicesPerSecond / Yardstick.InferSlicesPerSecond : null;
        var bestCase = Cases.MinBy(c => c.TotalSeconds);
        var batch64 = Training.Where(t => t.Batch >= 64).Select(t => (double?)t.PeakResidentMiB).Max();
        Targets.Add(new TargetResult("training vs PyTorch (S3-3C)", Inv($">= {SpeedupGoal}x"), TrainRatio, Check(TrainRatio, v => v >= SpeedupGoal)));
        Targets.Add(new TargetResult($"inference vs PyTorch (best engine{(bestInfer is null ? "" : ": " + bestInfer.Engine)})", Inv($">= {SpeedupGoal}x"), InferRatio, Check(InferRatio, v => v >= SpeedupGoal)));
        Targets.Add(new TargetResult($"full case end to end (s{(bestCase is null ? "" : ", " + bestCase.Engine)})", Inv($"<= {CaseSecondsGoal} s"), bestCase?.TotalSeconds, Check(bestCase?.TotalSeconds, v => v <= CaseSecondsGoal)));
        Targets.Add(new TargetResult("bfloat16 Dice difference (trained model)", "<= 0.005", BFloat16Dice?.MaxDifference, Check(BFloat16Dice?.MaxDifference, v => v <= 0.005)));
        Targets.Add(new TargetResult("peak RSS training at batch 64 (MiB)", Inv($"<= {Batch64MemoryGoalMiB} MiB"), batch64, Check(batch64, v => v <= Batch64MemoryGoalMiB)));
        Targets.Add(new TargetResult("RSS growth over training steps (MiB)", Inv($"<= {GrowthGoalMiB} MiB"), ResidentGrowthMiB, Check(ResidentGrowthMiB, v => v <= GrowthGoalMiB)));
    }

    public string Table()
    {
        var b = new StringBuilder();
        var peak = MatmulGflops;
        b.AppendLine(Inv($"{"measurement",-44} {"value",12} {"GFLOP/s",8} {"of matmul",9} {"vs PyTorch",10}"));
        foreach (var t in Training)
        {
            var ratio = t.Variant == "s3-3c" && t.Batch == Yardstick?.Batch ? TrainRatio : null;
            b.AppendLine(Row($"train {t.Variant} b{t.Batch} {t.Size}px (slices/s)", t.SlicesPerSecond, t.AchievedGflops, peak, ratio));
        }

        foreach (var i in Inference)
        {
            var ratio = Yardstick is not null && i.Batch == Yardstick.Batch ? i.SlicesPerSecond / Yardstick.InferSlicesPerSecond : (double?)null;
            b.AppendLine(Row($"infer {i.Engine} b{i.Batch} {i.Size}px (slices/s)", i.SlicesPerSecond, i.AchievedGflops, peak, ratio));
        }

        if (Yardstick is not null)
        {
            b.AppendLine(Row($"PyTorch {Yardstick.Torch} train s3-3c b{Yardstick.Batch} (slices/s)", Yardstick.TrainSlicesPerSecond, Yardstick.TrainSlicesPerSecond * GflopPerTrainingSlice, peak, 1));
            b.AppendLine(Row($"PyTorch {Yardstick.Torch} infer b{Yardstick.Batch} (slices/s)", Yardstick.InferSlicesPerSecond, Yardstick.InferSlicesPerSecond * GflopPerInferenceSlice, peak, 1));
        }

        foreach (var c in Cases)
        {
            b.AppendLine(Row($"case {c.Shape} {c.Engine} (s)", c.TotalSeconds, null, null, null));
        }

        b.AppendLine(Row("peak resident memory, whole run (MiB)", PeakResidentMiB, null, null, null));
        b.AppendLine();
        foreach (var target in Targets)
        {
            var verdict = target.Met switch { true => "MET", false => "NOT MET", null => "not measured" };
            b.AppendLine(Inv($"target {target.Name,-52} {target.Goal,-14} measured {(target.Measured is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-"),8}  {verdict}"));
        }

        return b.ToString();
    }

    private static bool? Check(double? measured, Func<double, bool> goal) => measured is { } v ? goal(v) : null;

    private static double PeakOf(object result) => result switch
    {
        TrainingResult t => t.PeakResidentMiB,
        InferenceResult i => i.PeakResidentMiB,
        CaseResult c => c.PeakResidentMiB,
        _ => 0,
    };

    private static string Row(string name, double value, double? gflops, double? peak, double? ratio) => Inv(
        $"{name,-44} {value,12:F2} {(gflops is { } g ? g.ToString("F0", CultureInfo.InvariantCulture) : ""),8} {(gflops is { } g2 && peak is > 0 ? (g2 / peak.Value).ToString("P0", CultureInfo.InvariantCulture) : ""),9} {(ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "x" : ""),10}");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
