using System.Diagnostics;
using TorchSharp;

namespace SegAN.Bench;

/// <summary>Measures the machine's float32 matrix-product rate through libtorch: the ceiling for convolutions.</summary>
internal static class MatmulProbe
{
    public static double MeasureGflops(int size = 2048, int repeats = 5)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(size, size);
        var b = torch.randn(size, size);
        torch.mm(a, b).Dispose(); // warm-up
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            torch.mm(a, b).Dispose();
        }

        var seconds = watch.Elapsed.TotalSeconds / repeats;
        return 2.0 * size * size * size / seconds / 1e9;
    }
}
