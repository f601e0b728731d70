using System.Diagnostics;
using System.Globalization;
using SegAN.Distributed;
using SegAN.Models;
using SegAN.Training;
using TorchSharp;

namespace SegAN.Bench;

/// <summary>
/// Data-parallel cost per step: the gradient all-reduce of the paper's segmentor (S3-3C, depth 4, width 64, four
/// modalities) over MPI, alone (no compute between calls, so no waiting for a slower rank). Run under
/// <c>mpirun -np N dotnet SegAN.Bench.dll allreduce</c>; rank 0 prints.
/// </summary>
internal static class AllReduceProbe
{
    public static void Run(int repeats = 30)
    {
        using var mpi = MpiCommunicator.Initialize();
        using var trainer = new AdversarialTrainer(new SegANArchitecture(Variant.S3_3C, 4), OptimizerKind.RmsProp, 2e-5, 0.05, 1, seed: 0);
        var parameters = trainer.Segmentor.parameters().ToList();
        var count = parameters.Sum(p => p.numel());
        using (torch.no_grad())
        {
            foreach (var p in parameters)
            {
                p.grad = torch.ones_like(p);
            }
        }

        var reducer = new AllReduceGradientReducer(mpi);
        reducer.Reduce(parameters); // warm-up: buffers, connections
        var raw = new float[count];
        mpi.AllReduceSum(raw, raw.Length);

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            mpi.AllReduceSum(raw, raw.Length);
        }

        var rawMs = watch.Elapsed.TotalMilliseconds / repeats;
        watch.Restart();
        for (var i = 0; i < repeats; i++)
        {
            reducer.Reduce(parameters);
        }

        var reduceMs = watch.Elapsed.TotalMilliseconds / repeats;
        if (mpi.Rank == 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"segmentor parameters: {count} ({count * 4 / 1048576.0:F1} MiB of float32)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MPI_Allreduce over {mpi.Size} ranks: {rawMs:F2} ms; with copies to and from the gradients: {reduceMs:F2} ms"));
        }
    }
}
