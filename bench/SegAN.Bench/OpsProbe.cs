using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAN.Bench;

/// <summary>
/// Milliseconds of single segmentor layers (forward, inference mode) in the default NCHW layout and channels last:
/// where the time goes, and whether a layout lever helps each kind of layer.
/// </summary>
internal static class OpsProbe
{
    private static readonly double[] ScaleTwo = [2.0, 2.0];

    public static IEnumerable<string> Measure(int batch, int size)
    {
        using var scope = torch.NewDisposeScope();
        using (torch.inference_mode())
        {
            foreach (var line in MeasureLayers(batch, size))
            {
                yield return line;
            }
        }

        foreach (var line in MeasureResizeTraining(batch, size))
        {
            yield return line;
        }
    }

    private static IEnumerable<string> MeasureLayers(int batch, int size)
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(0);
        var cases = new (string Name, nn.Module<Tensor, Tensor> Layer, long[] Input, double Gflop)[]
        {
            ("down 3->64 k4s2", nn.Conv2d(3, 64, 4, 2, 1), [batch, 3, size, size], Flop(3, 64, 16, size / 2)),
            ("down 64->128 k4s2", nn.Conv2d(64, 128, 4, 2, 1, bias: false), [batch, 64, size / 2, size / 2], Flop(64, 128, 16, size / 4)),
            ("down 256->512 k4s2", nn.Conv2d(256, 512, 4, 2, 1, bias: false), [batch, 256, size / 8, size / 8], Flop(256, 512, 16, size / 16)),
            ("up 512->128 k3", nn.Conv2d(512, 128, 3, 1, 1, bias: false), [batch, 512, size / 4, size / 4], Flop(512, 128, 9, size / 4)),
            ("up 256->64 k3", nn.Conv2d(256, 64, 3, 1, 1, bias: false), [batch, 256, size / 2, size / 2], Flop(256, 64, 9, size / 2)),
            ("up 128->3 k3", nn.Conv2d(128, 3, 3, 1, 1), [batch, 128, size, size], Flop(128, 3, 9, size)),
            ("up 128->16 k3", nn.Conv2d(128, 16, 3, 1, 1), [batch, 128, size, size], Flop(128, 16, 9, size)),
        };
        foreach (var (name, layer, shape, gflopPerSlice) in cases)
        {
            var x = torch.randn(shape);
            var gflop = gflopPerSlice * batch;
            var nchw = Milliseconds(() => layer.forward(x));
            var nhwc = Milliseconds(() => layer.forward(ChannelsLast(x)));
            yield return string.Create(CultureInfo.InvariantCulture, $"{name,-20} b{batch} {shape[2]}px: NCHW {nchw,8:F1} ms ({gflop / nchw * 1e3:F0} GFLOP/s), channels last {nhwc,8:F1} ms ({gflop / nhwc * 1e3:F0} GFLOP/s)");
        }

        var maps = torch.randn([batch, 512, size / 4, size / 4]);
        var up = Milliseconds(() => nn.functional.interpolate(maps, scale_factor: ScaleTwo, mode: InterpolationMode.Bilinear, align_corners: false));
        var upCl = Milliseconds(() => nn.functional.interpolate(ChannelsLast(maps), scale_factor: ScaleTwo, mode: InterpolationMode.Bilinear, align_corners: false));
        yield return string.Create(CultureInfo.InvariantCulture, $"{"bilinear x2 512 maps",-20} b{batch} {size / 4}px: NCHW {up,8:F1} ms, channels last {upCl,8:F1} ms");
    }

    /// <summary>Forward and backward of the x2 bilinear resize, NCHW against channels last.</summary>
    public static IEnumerable<string> MeasureResizeTraining(int batch, int size)
    {
        using var scope = torch.NewDisposeScope();
        var maps = torch.randn([batch, 512, size / 4, size / 4]).requires_grad_();
        double Run(Func<Tensor, Tensor> layout) => Milliseconds(() =>
        {
            var y = nn.functional.interpolate(layout(maps), scale_factor: ScaleTwo, mode: InterpolationMode.Bilinear, align_corners: false);
            y.sum().backward();
            maps.grad!.zero_();
            return y;
        });
        var nchw = Run(x => x);
        var nhwc = Run(ChannelsLast);
        yield return string.Create(CultureInfo.InvariantCulture, $"bilinear x2 forward+backward 512 maps b{batch} {size / 4}px: NCHW {nchw,8:F1} ms, channels last {nhwc,8:F1} ms");
    }

    /// <summary>NHWC storage behind an NCHW view (libtorch's channels-last format).</summary>
    public static Tensor ChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    private static double Flop(int cin, int cout, int taps, int outSide) => 2.0 * cin * cout * taps * outSide * outSide / 1e9;

    private static double Milliseconds(Func<Tensor> run, int repeats = 3)
    {
        using (torch.NewDisposeScope())
        {
            run();
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            using var scope = torch.NewDisposeScope();
            run();
        }

        return watch.Elapsed.TotalMilliseconds / repeats;
    }
}
