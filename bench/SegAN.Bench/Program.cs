using System.Globalization;
using SegAN.Bench;
using SegAN.Compute;
using TorchSharp;

if (args is ["allreduce", ..])
{
    AllReduceProbe.Run();
    return;
}

var threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 0;
ComputeContext.Initialize(DeviceSpec.Cpu, threads);
Console.WriteLine($"CPU: {CpuFeatures.ModelName}, torch threads {torch.get_num_threads()}");
Console.WriteLine($"float32 matmul: {MatmulProbe.MeasureGflops():F1} GFLOP/s");
foreach (var line in NiftiIoProbe.Measure())
{
    Console.WriteLine(line);
}

var (hdSeconds, hd95) = Hd95Probe.Measure();
Console.WriteLine($"HD95 on 240x240x155 (large tumours): {hdSeconds:F3} s, {hd95:F2} mm");
