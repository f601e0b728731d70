using System.Globalization;
using System.Text.Json;
using SegAN.Bench;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Inference;
using SegAN.Models;

// Under mpirun: the gradient all-reduce probe alone (see AllReduceProbe).
if (args is ["allreduce", ..])
{
    AllReduceProbe.Run();
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

ComputeContext.Initialize(DeviceSpec.Cpu, options.Threads);
var report = new BenchReport { Machine = Machine.Describe(), Quick = options.Quick };
var m = report.Machine;
Console.WriteLine(Inv($"SegAN.NET bench{(options.Quick ? " (QUICK: toy sizes, not a measurement)" : "")}"));
Console.WriteLine(Inv($"CPU: {m.CpuModel}; {m.LogicalCores} logical cores; avx512f {YesNo(m.Avx512F)}, avx512_bf16 {YesNo(m.Avx512Bf16)}; torch threads {m.TorchThreads}; libtorch {m.LibTorch}; {m.Runtime}; GPU {YesNo(m.Gpu)}"));
Console.WriteLine(Inv($"load average at start: {m.LoadAverage}{(Machine.OneMinuteLoad() > m.LogicalCores + 0.5 ? "  WARNING: the machine is busy; timings are not trustworthy" : "")}"));

if (options.Runs("matmul"))
{
    report.MatmulGflops = MatmulProbe.MeasureGflops(options.Quick ? 1024 : 2048);
    Console.WriteLine(Inv($"float32 matrix product (libtorch, 2048^2): {report.MatmulGflops:F1} GFLOP/s"));
}

var size = options.Size;
var s33c = new SegANArchitecture(Variant.S3_3C, 3);
report.GflopPerTrainingSlice = FlopCount.TrainingPerSlice(s33c, size, size) / 1e9;
report.GflopPerInferenceSlice = FlopCount.InferencePerSlice(s33c, size, size) / 1e9;
Console.WriteLine(Inv($"work per {size}x{size} slice (convolutions, S3-3C): training {report.GflopPerTrainingSlice:F2} GFLOP, inference {report.GflopPerInferenceSlice:F2} GFLOP"));

if (options.Runs("yardstick"))
{
    var why = YardstickProbe.Unavailable();
    if (why is null)
    {
        Console.WriteLine("PyTorch yardstick running ...");
        report.Yardstick = YardstickProbe.Measure("s3-3c", options.TrainBatches[0], size, options.TrainIterations(options.TrainBatches[0]), options.Warmup, options.Threads);
        Console.WriteLine(Inv($"PyTorch {report.Yardstick.Torch} ({report.Yardstick.Threads} threads), S3-3C batch {report.Yardstick.Batch}: train {report.Yardstick.TrainSlicesPerSecond:F2} slices/s, inference {report.Yardstick.InferSlicesPerSecond:F1} slices/s"));
    }
    else
    {
        report.YardstickSkipped = why;
        Console.WriteLine($"PyTorch yardstick skipped: {why}");
    }
}

if (options.Runs("train"))
{
    foreach (var variant in new[] { Variant.S3_3C, Variant.UNet })
    {
        foreach (var batch in options.TrainBatches)
        {
            var r = TrainingProbe.Measure(variant, batch, size, options.Warmup, options.TrainIterations(batch));
            report.Training.Add(r);
            Console.WriteLine(Inv($"train {r.Variant,-6} batch {r.Batch,3} {r.Size}x{r.Size}: {r.SlicesPerSecond,7:F2} slices/s ({r.SecondsPerStep:F2} s/step, {r.AchievedGflops:F0} GFLOP/s{Fraction(r.AchievedGflops, report.MatmulGflops)}), peak RSS {r.PeakResidentMiB:F0} MiB"));
        }
    }
}

string? modelFolder = null;
string? modelPath = null;
if (options.Runs("infer") || options.Runs("levers") || options.Runs("case") || options.Runs("serve"))
{
    modelFolder = Directory.CreateTempSubdirectory("segan-bench-model-").FullName;
    var recipe = options.Quick
        ? new InferenceRecipe(new PreprocessOptions(CropX: 80, CropY: 80, CropZ: 48), 64, LabelConvention.Brats2021)
        : new InferenceRecipe(PreprocessOptions.Paper, SliceCrop.PaperSize, LabelConvention.Brats2021);
    modelPath = InferenceProbe.WriteModel(modelFolder, recipe);
}

try
{
    if (options.Runs("infer"))
    {
        var engines = new List<(EngineKind Kind, bool BFloat16)> { (EngineKind.Torch, false), (EngineKind.Onnx, false) };
        if (CpuFeatures.HasAvx512Bf16)
        {
            engines.Insert(1, (EngineKind.Torch, true));
        }

        foreach (var (kind, bf16) in engines)
        {
            var r = InferenceProbe.MeasureEngine(modelPath!, kind, options.Threads, options.InferBatch, size, options.Warmup, options.InferIterations, bf16);
            report.Inference.Add(r);
            PrintInference(r, report.MatmulGflops);
        }
    }

    if (options.Runs("levers"))
    {
        var t = TrainingProbe.Measure(Variant.S3_3C, options.TrainBatches[0], size, options.Warmup, options.TrainIterations(options.TrainBatches[0]), channelsLast: false);
        report.Training.Add(t);
        Console.WriteLine(Inv($"train {t.Variant} batch {t.Batch} {t.Size}x{t.Size}: {t.SlicesPerSecond,7:F2} slices/s ({t.SecondsPerStep:F2} s/step)"));
        foreach (var lever in new[] { "nchw", "bf16-nchw" })
        {
            var r = InferenceProbe.MeasureTorchLever(modelPath!, lever, options.InferBatch, size, options.Warmup, options.InferIterations);
            report.Inference.Add(r);
            PrintInference(r, report.MatmulGflops);
        }

        if (CpuFeatures.HasAvx512Bf16 && options.TrainedModel is not null)
        {
            var check = BFloat16Check.Measure(options.TrainedModel, options.Quick ? 1 : 3, options.Threads);
            report.BFloat16Dice = check;
            Console.WriteLine(Inv($"bfloat16 accuracy, {check.Model} on {check.Cases} unseen phantom case(s): Dice WT/TC/ET float32 {string.Join('/', check.Float32.Select(d => d.ToString("F4", CultureInfo.InvariantCulture)))}, bfloat16 {string.Join('/', check.BFloat16.Select(d => d.ToString("F4", CultureInfo.InvariantCulture)))}; largest difference {check.MaxDifference:F4}"));
        }
    }

    if (options.Runs("case"))
    {
        using var probe = options.Quick ? CaseProbe.Create(96, 64) : CaseProbe.Create(240, 155);
        var runs = new List<(EngineKind Kind, bool ParallelRead, bool BFloat16)> { (EngineKind.Onnx, true, false), (EngineKind.Torch, true, false), (EngineKind.Onnx, false, false) };
        if (CpuFeatures.HasAvx512Bf16)
        {
            runs.Add((EngineKind.Torch, true, true));
        }

        foreach (var (kind, parallelRead, bf16) in runs)
        {
            var (r, _) = probe.Run(modelPath!, kind, options.Threads, options.InferBatch, parallelRead, bf16);
            report.Cases.Add(r);
            Console.WriteLine(Inv($"case {r.Shape} x3 modalities, {r.Engine}: {r.TotalSeconds:F2} s (read {r.ReadSeconds:F2}, preprocess + segment + restore {r.PredictSeconds:F2}, write {r.WriteSeconds:F2}; engine open {r.OpenEngineSeconds:F2}), peak RSS {r.PeakResidentMiB:F0} MiB"));
        }
    }

    if (options.Runs("serve"))
    {
        var r = options.Quick ? ServeProbe.Measure(modelPath!, 96, 64, options.Threads, 2, 5) : ServeProbe.Measure(modelPath!, 240, 155, options.Threads, 5, 50);
        report.Serve.Add(r);
        Console.WriteLine(Inv($"serve {r.Shape} x3 modalities, one request at a time over HTTP: cold p50 {r.ColdP50Seconds:F2} s, p95 {r.ColdP95Seconds:F2} s, {r.ColdPerMinute:F1} requests/min ({r.ColdRequests} requests); cached p50 {r.CachedP50Seconds * 1000:F1} ms, p95 {r.CachedP95Seconds * 1000:F1} ms, {r.CachedPerMinute:F0} requests/min ({r.CachedRequests} requests)"));
    }
}
finally
{
    if (modelFolder is not null)
    {
        Directory.Delete(modelFolder, recursive: true);
    }
}

if (options.Runs("leak"))
{
    var samples = TrainingProbe.ResidentOverSteps(options.LeakSteps, 10);
    report.ResidentOverSteps = [.. samples.Select(s => new ResidentSample(s.Step, s.ResidentMiB))];
    var first = samples[0];
    var last = samples[^1];
    report.ResidentGrowthMiB = last.ResidentMiB - first.ResidentMiB;
    Console.WriteLine(Inv($"resident memory over {options.LeakSteps} small S3-3C steps (32x32, batch 4): {string.Join(", ", samples.Select(s => Inv($"{s.Step}: {s.ResidentMiB:F0}")))} MiB; growth after step {first.Step}: {report.ResidentGrowthMiB:F1} MiB"));
}

if (options.Runs("ops"))
{
    report.Ops.AddRange(OpsProbe.Measure(options.InferBatch, size));
    report.Ops.ForEach(Console.WriteLine);
}

if (options.Runs("io"))
{
    report.Io.AddRange(NiftiIoProbe.Measure());
    var (hdSeconds, hd95) = Hd95Probe.Measure();
    report.Io.Add(Inv($"HD95 on 240x240x155 (large tumours): {hdSeconds:F3} s, {hd95:F2} mm"));
    report.Io.ForEach(Console.WriteLine);
}

report.Finish();
Console.WriteLine();
Console.WriteLine(report.Table());
Console.WriteLine(Inv($"load average at end: {Machine.LoadAverageNow()}"));
if (options.JsonPath is not null)
{
    var temp = options.JsonPath + ".tmp";
    File.WriteAllText(temp, JsonSerializer.Serialize(report, BenchReport.Json));
    File.Move(temp, options.JsonPath, overwrite: true);
    Console.WriteLine($"wrote {options.JsonPath}");
}

return 0;

static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

static string YesNo(bool value) => value ? "yes" : "no";

static string Fraction(double gflops, double? peak) => peak is > 0 ? Inv($", {gflops / peak.Value:P0} of matmul") : "";

static void PrintInference(InferenceResult r, double? peak) =>
    Console.WriteLine(Inv($"infer {r.Engine,-18} batch {r.Batch,3} {r.Size}x{r.Size}: {r.SlicesPerSecond,7:F1} slices/s ({r.AchievedGflops:F0} GFLOP/s{Fraction(r.AchievedGflops, peak)})"));
