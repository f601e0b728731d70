using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Server;

namespace SegAN.Bench;

/// <summary>
/// <c>segan serve</c> answering <c>POST /infer/MODEL?image=ID</c> for one case, one request at a time: latency
/// percentiles and requests per minute, cold (each request segments: the case's files are touched first, so the
/// cache misses) and cached (the same request repeated).
/// </summary>
internal sealed record ServeResult(
    string Shape,
    int ColdRequests,
    double ColdP50Seconds,
    double ColdP95Seconds,
    double ColdPerMinute,
    int CachedRequests,
    double CachedP50Seconds,
    double CachedP95Seconds,
    double CachedPerMinute);

internal static class ServeProbe
{
    /// <summary>Serves <paramref name="modelPath"/> (T1c, T2, FLAIR) over a one-case studies folder of <paramref name="side"/>^2 x <paramref name="depth"/> and times requests over HTTP on 127.0.0.1.</summary>
    public static ServeResult Measure(string modelPath, int side, int depth, int threads, int coldRequests, int cachedRequests)
    {
        var root = Directory.CreateTempSubdirectory("segan-bench-serve-");
        try
        {
            var files = WriteCase(Path.Combine(root.FullName, "studies", "Case001"), side, depth);
            var options = new ServeOptions(
                [new ServedModel("brats", modelPath)],
                Path.Combine(root.FullName, "uploads"),
                Path.Combine(root.FullName, "studies"),
                DatasetPresets.Layout(DatasetPreset.Brats2021, ["T1c", "T2", "FLAIR"]),
                Port: 0,
                Device: "cpu",
                Threads: threads);
            using var host = SegANServer.CreateHostBuilder(options, _ => { }).Build();
            host.Start();
            var url = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(10) };

            var cold = new List<double>();
            for (var i = 0; i < coldRequests; i++)
            {
                // A new modification time is a new cache key: this request segments.
                foreach (var file in files)
                {
                    File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(i + 1));
                }

                cold.Add(Time(client));
            }

            var cached = Enumerable.Range(0, cachedRequests).Select(_ => Time(client)).ToList();
            host.StopAsync().GetAwaiter().GetResult();
            return new ServeResult(
                $"{side}x{side}x{depth}",
                cold.Count, Percentile(cold, 0.5), Percentile(cold, 0.95), 60 / cold.Average(),
                cached.Count, Percentile(cached, 0.5), Percentile(cached, 0.95), 60 / cached.Average());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static double Time(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        using var content = new MultipartFormDataContent { { new StringContent("{}"), "params" } };
        using var response = client.PostAsync(new Uri("infer/brats?image=Case001", UriKind.Relative), content).GetAwaiter().GetResult();
        var body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"segan serve answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>The nearest-rank percentile.</summary>
    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>A phantom head cropped to <paramref name="depth"/> slices, as BraTS 2021 int16 T1c, T2, FLAIR files.</summary>
    private static string[] WriteCase(string folder, int side, int depth)
    {
        Directory.CreateDirectory(folder);
        var phantom = PhantomGenerator.Generate(new PhantomOptions(Size: side, Seed: 0), 0);
        var geometry = ImageGeometry.FromSpacing([side, side, depth], [1, 1, 1]);
        var z0 = (side - depth) / 2;
        var plane = side * side;
        var files = new List<string>();
        foreach (var (suffix, volume) in new[] { ("t1ce", phantom.T1c), ("t2", phantom.T2), ("flair", phantom.Flair) })
        {
            var path = Path.Combine(folder, $"Case001_{suffix}.nii.gz");
            NiftiFile.Write(path, new Volume(volume.Data.AsSpan(z0 * plane, depth * plane).ToArray(), geometry), NiftiDataType.Int16);
            files.Add(path);
        }

        return [.. files];
    }
}
