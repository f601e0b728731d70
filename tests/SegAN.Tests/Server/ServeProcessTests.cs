using System.Diagnostics;
using System.Text.Json;
using SegAN.Cli;
using SegAN.Imaging;
using SegAN.Tests.Distributed;
using SegAN.Tests.Export;
using Spectre.Console.Testing;

namespace SegAN.Tests.Server;

/// <summary>The real <c>segan serve</c> process on 127.0.0.1, driven by a Python MONAI Label client written from the protocol.</summary>
public sealed class ServeProcessTests(ServerTestData data) : IClassFixture<ServerTestData>
{
    [SkippableFact]
    public void SeganServe_ServesBothFlowsToAPythonClient_SurvivesHostileInput_AndStopsOnSigterm()
    {
        // Given segan serve started on a free port of 127.0.0.1 with two models over the studies folder
        var uploads = Path.Combine(data.Root, "process-uploads");
        using var server = ClusterTools.Start(
            ClusterTools.Dotnet,
            [ClusterTools.CliDll, "serve", "-m", $"brats={data.MultiModel}", "-m", $"flair={data.SingleModel}", "--studies", data.Studies, "--preset", "brats2021",
             "--uploads", uploads, "--host", "127.0.0.1", "--port", "0", "--device", "cpu", "--threads", "1", "--max-upload", "200K"],
            data.Root);
        var output = new List<string>();
        var url = WaitForUrl(server, output);
        try
        {
            // When the Python client runs Flow B, Flow A, hostile inputs and 8 simultaneous infers
            var outDir = Directory.CreateDirectory(Path.Combine(data.Root, "python-out")).FullName;
            var script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Server", "monai_label_client.py"));
            var seen = JsonDocument.Parse(ExportTestModels.Python("email", "python3", script, url, data.Studies, outDir)).RootElement;

            // Then the info has Slicer's keys and no top-level config, and Flow B answered a fixed-length multipart body
            Assert.DoesNotContain("config", seen.GetProperty("info").GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
            Assert.Equal("Phantom002", seen.GetProperty("next").GetProperty("id").GetString());
            Assert.Equal(ServerTestData.Sha256(File.ReadAllBytes(Path.Combine(data.Studies, "Phantom002", "Phantom002_t1ce.nii.gz"))), seen.GetProperty("download").GetProperty("sha256").GetString());
            var flowB = seen.GetProperty("flow_b");
            Assert.Equal(200, flowB.GetProperty("status").GetInt32());
            Assert.Equal(flowB.GetProperty("body_length").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), flowB.GetProperty("content_length").GetString());
            Assert.Equal(JsonValueKind.Null, flowB.GetProperty("transfer_encoding").ValueKind);
            Assert.Equal(2, flowB.GetProperty("params").GetProperty("label_names").GetProperty("edema").GetInt32());

            // And the label map the client saved equals segan predict's for the same case (BraTS 2023 labels)
            var predicted = Path.Combine(data.Root, "process-predict");
            Assert.Equal(ExitCodes.Ok, SeganApp.Run(["predict", "-m", data.MultiModel, "-i", data.Studies, "-o", predicted, "--out-labels", "brats2023", "--device", "cpu"], new TestConsole()));
            Assert.Equal(ImageFile.Read(Path.Combine(predicted, "Phantom002_seg.nii.gz")).Data, ImageFile.Read(Path.Combine(outDir, "flow_b_Phantom002_seg.nii.gz")).Data);

            // And Flow A stored the upload under its ID (an ID with a space was refused) and segmented it
            Assert.Equal(400, seen.GetProperty("upload_bad_id").GetProperty("status").GetInt32());
            Assert.Equal("scan-1", seen.GetProperty("upload").GetProperty("body").GetProperty("image").GetString());
            Assert.Equal(200, seen.GetProperty("flow_a").GetProperty("status").GetInt32());
            Assert.Equal([48, 48, 48], ImageFile.Read(Path.Combine(outDir, "flow_a_scan-1_seg.nii.gz")).Geometry.Shape);

            // And every hostile input was refused, the server kept serving, and only the good upload is stored
            var hostile = seen.GetProperty("hostile");
            Assert.Equal(413, hostile.GetProperty("oversize").GetInt32());
            Assert.Equal(400, hostile.GetProperty("junk")[0].GetInt32());
            Assert.Contains("junk.nii.gz", hostile.GetProperty("junk")[1].GetString(), StringComparison.Ordinal);
            Assert.Equal(400, hostile.GetProperty("traversal")[0].GetInt32());
            Assert.Equal(400, hostile.GetProperty("traversal_infer").GetInt32());
            Assert.Equal(400, hostile.GetProperty("truncated_multipart")[0].GetInt32());
            Assert.Contains("malformed multipart", hostile.GetProperty("truncated_multipart")[1].GetString(), StringComparison.Ordinal);

            // (A connection that ends mid-body gets a 400 or, as Kestrel does once the client stopped sending, no answer.)
            Assert.True(hostile.GetProperty("cut_connection").GetString() is "" or "HTTP/1.1 400 Bad Request", hostile.GetProperty("cut_connection").GetString());
            Assert.Equal(200, hostile.GetProperty("still_up").GetInt32());
            Assert.Equal(["scan-1.nii.gz"], Directory.GetFiles(uploads).Select(Path.GetFileName));

            // And the 8 simultaneous infers were all answered with one and the same label map
            Assert.All(seen.GetProperty("concurrent").GetProperty("statuses").EnumerateArray(), s => Assert.Equal(200, s.GetInt32()));
            Assert.Equal(1, seen.GetProperty("concurrent").GetProperty("distinct_maps").GetInt32());
        }
        finally
        {
            // When SIGTERM arrives, then the server stops cleanly with exit code 0
            using var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            var stopped = server.WaitForExit(30_000);
            if (!stopped)
            {
                server.Kill();
            }

            Assert.True(stopped, "segan serve did not stop within 30 s of SIGTERM");
        }

        Assert.Equal(0, server.ExitCode);
        lock (output)
        {
            Assert.Contains(output, line => line.Contains("GET /info/ 200", StringComparison.Ordinal));
            Assert.DoesNotContain(output, line => line.Contains("   at ", StringComparison.Ordinal));
        }
    }

    /// <summary>Reads the server's output until it prints its URL (at most 120 s); keeps every line.</summary>
    internal static string WaitForUrl(Process server, List<string> output)
    {
        var url = new TaskCompletionSource<string>();
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                url.TrySetException(new InvalidOperationException("segan serve ended before printing its URL:\n" + string.Join('\n', output)));
                return;
            }

            lock (output)
            {
                output.Add(e.Data);
            }

            var at = e.Data.IndexOf("http://127.0.0.1:", StringComparison.Ordinal);
            if (at >= 0)
            {
                url.TrySetResult(e.Data[at..].Split(' ')[0].TrimEnd('/'));
            }
        }

        server.OutputDataReceived += OnLine;
        server.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.Add("stderr: " + e.Data);
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        Assert.True(url.Task.Wait(TimeSpan.FromSeconds(120)), "segan serve printed no URL within 120 s:\n" + string.Join('\n', output));
        return url.Task.Result;
    }
}
