using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using SegAN.Cli;
using SegAN.Imaging;
using SegAN.Server;
using Spectre.Console.Testing;

namespace SegAN.Tests.Server;

/// <summary>
/// <c>segan serve</c> in ASP.NET's in-memory test host, driven with the bytes 3D Slicer's MONAI Label extension sends.
/// </summary>
public sealed class MonaiLabelApiTests(ServerTestData data) : IClassFixture<ServerTestData>
{
    [Fact]
    public async Task Info_HasTheKeysSlicerReads_AndNoTopLevelConfig()
    {
        // Given a server with two models over three studies cases (one labelled)
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();

        // When Slicer asks for the server's info (with its trailing slash)
        var response = await client.GetAsync(new Uri("/info/", UriKind.Relative));

        // Then the keys are there, each model segments with contiguous BraTS 2023 labels, and "config" is absent
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = info.RootElement;
        foreach (var key in new[] { "name", "description", "version", "labels", "models", "trainers", "strategies", "scoring", "train_stats", "datastore" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        Assert.False(root.TryGetProperty("config", out _));
        Assert.Equal(["necrosis", "edema", "mass"], root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        var brats = root.GetProperty("models").GetProperty("brats");
        Assert.Equal("segmentation", brats.GetProperty("type").GetString());
        Assert.Equal(3, brats.GetProperty("dimension").GetInt32());
        Assert.Equal(JsonValueKind.Object, brats.GetProperty("config").ValueKind);
        Assert.Equal([("necrosis", 1), ("edema", 2), ("mass", 3)], brats.GetProperty("labels").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
        Assert.True(root.GetProperty("models").TryGetProperty("flair", out _));
        Assert.True(root.GetProperty("strategies").TryGetProperty("first", out _));
        Assert.Equal((3, 1), (root.GetProperty("datastore").GetProperty("total").GetInt32(), root.GetProperty("datastore").GetProperty("completed").GetInt32()));
        Assert.Contains(server.Log, line => line.Contains("GET /info/ 200", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET", "/auth/")]
    [InlineData("GET", "/auth/token")]
    [InlineData("GET", "/train/")]
    [InlineData("GET", "/train/?check_if_running=true")]
    [InlineData("POST", "/train/")]
    [InlineData("GET", "/no/such/thing")]
    public async Task AuthTrainingAndUnknownPaths_Answer404_WithAJsonError(string method, string path)
    {
        // Given a server
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();

        // When a client asks for authentication, training or a path that does not exist
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        // Then the answer is 404 with {"error": ...}
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task FlowB_NextSampleThenInferById_AnswersTheMultipartSlicerParses()
    {
        // Given a server over the studies folder and a 3-modality model
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();

        // When Slicer asks for the next sample, downloads it, and segments it by ID
        var next = await client.PostAsync(new Uri("/activelearning/first", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));
        using var sample = JsonDocument.Parse(await next.Content.ReadAsStringAsync());
        var id = sample.RootElement.GetProperty("id").GetString()!;
        var name = sample.RootElement.GetProperty("name").GetString()!;
        var image = await client.GetAsync(new Uri($"/datastore/image?image={id}", UriKind.Relative));
        var answer = await client.SendAsync(SlicerWire.Infer("brats", id));

        // Then the first unlabelled case comes with a file name Slicer can load, and the answer is a fixed-length
        // multipart body whose image part is a label map with exactly the case's geometry
        Assert.Equal(("Phantom002", "Phantom002_t1ce.nii.gz"), (id, name));
        var t1c = Path.Combine(data.Studies, "Phantom002", "Phantom002_t1ce.nii.gz");
        Assert.Equal(File.ReadAllBytes(t1c), await image.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("multipart/form-data", SlicerWire.Type(answer)!.MediaType);
        var body = await answer.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, answer.Content.Headers.ContentLength);
        Assert.NotEqual(true, answer.Headers.TransferEncodingChunked);
        var parts = await Parts(answer, body);
        using var parameters = JsonDocument.Parse(parts["params"].Data);
        Assert.Equal(3, parameters.RootElement.GetProperty("label_names").GetProperty("mass").GetInt32());
        Assert.Equal("Phantom002_seg.nii.gz", parts["image"].FileName);
        var labels = ReadNifti(parts["image"].Data);
        var source = ImageFile.Read(t1c);
        Assert.Equal(source.Geometry.Shape, labels.Geometry.Shape);
        Assert.Equal(source.Geometry.Affine, labels.Geometry.Affine);
        Assert.All(labels.Data, v => Assert.True(v is 0 or 1 or 2 or 3));

        // And Python's email package (and the cgi module Slicer's client reads answers with) see the same two parts
        var python = SlicerWire.ParseWithPython(SlicerWire.ContentType(answer), body, data.Root);
        var byEmail = python.Where(p => !p.Name.StartsWith("cgi:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["params", "image"], byEmail.Select(p => p.Name));
        Assert.Equal(ServerTestData.Sha256(parts["image"].Data), byEmail[1].Sha256);
        Assert.Equal("Phantom002_seg.nii.gz", byEmail[1].Filename);
        Assert.Equal(3, JsonDocument.Parse(byEmail[0].Text!).RootElement.GetProperty("label_names").GetProperty("mass").GetInt32());
        if (!python.Any(p => p.Name == "cgi:missing"))
        {
            Assert.Equal(byEmail[1].Sha256, Assert.Single(python, p => p.Name == "cgi:image").Sha256);
            Assert.Single(python, p => p.Name == "cgi:params");
        }
    }

    [Fact]
    public async Task Infer_OutputImageAndJson_AndTheCacheServesARepeat()
    {
        // Given a server
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();

        // When a case is segmented three times: as json, as the image alone, and as json again
        var first = await client.SendAsync(SlicerWire.Infer("brats", "Phantom003", "&output=json"));
        var image = await client.SendAsync(SlicerWire.Infer("brats", "Phantom003", "&output=image"));
        var again = await client.SendAsync(SlicerWire.Infer("brats", "Phantom003", "&output=json"));

        // Then json is the params alone, image the file alone, and the repeats came from the cache
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("cached").GetBoolean());
        Assert.Equal("application/octet-stream", SlicerWire.Type(image)!.MediaType);
        Assert.Equal(ImageFile.Read(Path.Combine(data.Studies, "Phantom003", "Phantom003_t1ce.nii.gz")).Geometry.Shape, ReadNifti(await image.Content.ReadAsByteArrayAsync()).Geometry.Shape);
        Assert.True(JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task LabelMap_EqualsWhatSeganPredictWrites_WithBrats2023Labels()
    {
        // Given a server, and segan predict run on the same studies with the same model and BraTS 2023 labels
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();
        var predicted = Path.Combine(data.Root, $"predict-{Guid.NewGuid():N}");
        var console = new TestConsole();
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["predict", "-m", data.MultiModel, "-i", data.Studies, "-o", predicted, "--out-labels", "brats2023", "--device", "cpu"], console));

        // When the server segments each case by ID
        foreach (var id in new[] { "Phantom001", "Phantom002", "Phantom003" })
        {
            var answer = await client.SendAsync(SlicerWire.Infer("brats", id, "&output=image"));

            // Then its label map equals predict's, voxel for voxel, in the same geometry
            var served = ReadNifti(await answer.Content.ReadAsByteArrayAsync());
            var expected = ImageFile.Read(Path.Combine(predicted, id + "_seg.nii.gz"));
            Assert.Equal(expected.Data, served.Data);
            Assert.Equal(expected.Geometry.Affine, served.Geometry.Affine);
        }
    }

    [Fact]
    public async Task FlowA_UploadThenInfer_WithTheOneModalityModel()
    {
        // Given a server and a FLAIR volume on the client's disk
        var options = data.Options();
        using var server = new ServerFactory(options);
        using var client = server.CreateClient();
        var flair = File.ReadAllBytes(Path.Combine(data.Studies, "Phantom003", "Phantom003_flair.nii.gz"));

        // When Slicer uploads it under a quote_plus-encoded ID and segments it with the FLAIR model
        var upload = await client.SendAsync(SlicerWire.Upload("my%2Dscan.v1", "/tmp/slicer-monai-label/my-scan.v1.nii.gz", flair));
        var answer = await client.SendAsync(SlicerWire.Infer("flair", "my-scan.v1"));
        var multi = await client.SendAsync(SlicerWire.Infer("brats", "my-scan.v1"));

        // Then the upload is stored under its ID, the FLAIR model segments it, and the 3-modality model says what is missing
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal("my-scan.v1", JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("image").GetString());
        Assert.Equal(flair, File.ReadAllBytes(Path.Combine(options.UploadDirectory, "my-scan.v1.nii.gz")));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var labels = ReadNifti((await Parts(answer, await answer.Content.ReadAsByteArrayAsync()))["image"].Data);
        Assert.Equal([48, 48, 48], labels.Geometry.Shape);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, multi.StatusCode);
        Assert.Contains("T1c, T2, FLAIR", await multi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadedModalities_AreMatchedByCasePrefix_OrTheMissingOnesAreNamed()
    {
        // Given a server, and a case's three modalities as a client would upload them (BraTS 2023 endings)
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();
        byte[] File(string modality) => System.IO.File.ReadAllBytes(Path.Combine(data.Studies, "Phantom002", $"Phantom002_{modality}.nii.gz"));

        // When only the T1c is uploaded, then the T2 and FLAIR too
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SlicerWire.Upload("P2-t1c", "/tmp/P2-t1c.nii.gz", File("t1ce")))).StatusCode);
        var partial = await client.SendAsync(SlicerWire.Infer("brats", "P2-t1c", "&output=json"));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SlicerWire.Upload("P2-t2w", "/tmp/P2-t2w.nii.gz", File("t2")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SlicerWire.Upload("P2-t2f", "/tmp/P2-t2f.nii.gz", File("flair")))).StatusCode);
        var complete = await client.SendAsync(SlicerWire.Infer("brats", "P2-t1c", "&output=image"));
        var byCase = await client.SendAsync(SlicerWire.Infer("brats", "Phantom002", "&output=image"));

        // Then the first answer names the missing modalities and their IDs, and the complete upload segments as the studies case does
        Assert.Equal(HttpStatusCode.UnprocessableEntity, partial.StatusCode);
        var error = JsonDocument.Parse(await partial.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.Contains("T2 (upload it as image 'P2-t2w')", error, StringComparison.Ordinal);
        Assert.Contains("FLAIR (upload it as image 'P2-t2f')", error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(await byCase.Content.ReadAsByteArrayAsync().ContinueWith(t => ReadNifti(t.Result).Data), ReadNifti(await complete.Content.ReadAsByteArrayAsync()).Data);
    }

    [Fact]
    public async Task EightSimultaneousInfers_AreAllAnswered_AndNoneIsCorrupted()
    {
        // Given a server running one segmentation at a time
        using var server = new ServerFactory(data.Options(maxConcurrent: 1));
        using var client = server.CreateClient();

        // When 8 clients ask at once, alternating two cases, all arriving while the run is taken
        var inference = server.Services.GetRequiredService<ServerState>().Inference;
        var hold = await inference.HoldRuns();
        var ids = Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? "Phantom002" : "Phantom003").ToList();
        var pending = ids.Select(id => client.SendAsync(SlicerWire.Infer("brats", id))).ToList();
        await WaitFor(() => inference.Pending == 2);
        hold.Dispose();
        var answers = await Task.WhenAll(pending);

        // Then every answer is a complete multipart body, and each case's label map is the same in every answer
        var maps = new Dictionary<string, HashSet<string>>();
        for (var i = 0; i < answers.Length; i++)
        {
            Assert.Equal(HttpStatusCode.OK, answers[i].StatusCode);
            var body = await answers[i].Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, answers[i].Content.Headers.ContentLength);
            var image = (await Parts(answers[i], body))["image"];
            Assert.Equal(ids[i] + "_seg.nii.gz", image.FileName);
            _ = ReadNifti(image.Data);
            (maps.TryGetValue(ids[i], out var set) ? set : maps[ids[i]] = []).Add(ServerTestData.Sha256(image.Data));
        }

        Assert.All(maps.Values, set => Assert.Single(set));
        Assert.Equal(8, server.Log.Count(line => line.Contains("POST /infer/brats", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RequestsBeyondTheQueue_Get503WithRetryAfter_AndTheQueuedOneIsAnswered()
    {
        // Given a server with one run and one waiting place, its run taken
        using var server = new ServerFactory(data.Options(maxConcurrent: 1, maxWaiting: 1));
        using var client = server.CreateClient();
        var inference = server.Services.GetRequiredService<ServerState>().Inference;
        var hold = await inference.HoldRuns();

        // When two cases are asked for while the run is taken, and the run is then freed
        var first = client.SendAsync(SlicerWire.Infer("brats", "Phantom001"));
        await WaitFor(() => inference.Pending == 1);
        var second = client.SendAsync(SlicerWire.Infer("brats", "Phantom002"));
        await WaitFor(() => inference.Pending == 2);
        var third = await client.SendAsync(SlicerWire.Infer("brats", "Phantom003"));
        hold.Dispose();

        // Then the one beyond the queue is refused with 503 and Retry-After, and the queued ones are answered
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Contains("busy", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("a%2Fb")]
    [InlineData("a%5Cb")]
    [InlineData("my+case")]
    [InlineData("nul%00byte")]
    [InlineData("")]
    public async Task BadIds_Are400_ForEveryEndpoint_AndTheStoreIsUnchanged(string quotedId)
    {
        // Given a server with an upload folder
        var options = data.Options();
        using var server = new ServerFactory(options);
        using var client = server.CreateClient();
        var flair = File.ReadAllBytes(Path.Combine(data.Studies, "Phantom001", "Phantom001_flair.nii.gz"));
        var before = ServerTestData.Snapshot(options.UploadDirectory);

        // When the ID is a path, hidden, or not a name at all
        var answers = new[]
        {
            await client.SendAsync(SlicerWire.Upload(quotedId, "/tmp/x.nii.gz", flair)),
            await client.GetAsync(new Uri($"/datastore/image?image={quotedId}", UriKind.Relative)),
            await client.SendAsync(SlicerWire.Infer("flair", quotedId)),
        };

        // Then each answer is a 400 with a JSON error, and nothing was stored
        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.True(JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out _));
        }

        Assert.Equal(before, ServerTestData.Snapshot(options.UploadDirectory));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/info/", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task HostileUploads_AreRefused_TheStoreIsUnchanged_AndTheServerKeepsServing()
    {
        // Given a server with a 64 KiB upload limit and one stored upload
        var options = data.Options(maxUpload: 64 * 1024);
        using var server = new ServerFactory(options);
        using var client = server.CreateClient();
        var flair = File.ReadAllBytes(Path.Combine(data.Studies, "Phantom001", "Phantom001_flair.nii.gz"));
        Assert.True(flair.Length < 64 * 1024);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SlicerWire.Upload("kept", "/tmp/kept.nii.gz", flair))).StatusCode);
        var before = ServerTestData.Snapshot(options.UploadDirectory);

        // When uploads are oversize, junk, of an unknown type, truncated, without a boundary, or without a file
        var junk = Encoding.ASCII.GetBytes("this is not an image, just text pretending to be one");
        var (whole, type) = SlicerWire.Multipart(null, "file", "/tmp/kept.nii.gz", flair);
        var cases = new (HttpRequestMessage Request, HttpStatusCode Expected, string Message)[]
        {
            (SlicerWire.Upload("kept", "/tmp/big.nii.gz", new byte[100 * 1024]), HttpStatusCode.RequestEntityTooLarge, "upload limit"),
            (SlicerWire.Upload("kept", "/tmp/junk.nii.gz", junk), HttpStatusCode.BadRequest, "junk.nii.gz: not a NIfTI file"),
            (SlicerWire.Upload("kept", "/tmp/zeros.nii.gz", new byte[4096]), HttpStatusCode.BadRequest, "zeros.nii.gz"),
            (SlicerWire.Upload("kept", "/tmp/scan.dcm", flair), HttpStatusCode.UnsupportedMediaType, "scan.dcm"),
            (SlicerWire.Request(HttpMethod.Put, "/datastore/?image=kept", whole[..(whole.Length / 2)], type), HttpStatusCode.BadRequest, "malformed multipart"),
            (SlicerWire.Request(HttpMethod.Put, "/datastore/?image=kept", whole, "multipart/form-data"), HttpStatusCode.BadRequest, "boundary"),
            (SlicerWire.Request(HttpMethod.Put, "/datastore/?image=kept", SlicerWire.Multipart("{}").Body, type), HttpStatusCode.BadRequest, "no 'file' part"),
            (SlicerWire.Request(HttpMethod.Put, "/datastore/?image=kept", Encoding.ASCII.GetBytes("{\"a\":1}"), "application/json"), HttpStatusCode.UnsupportedMediaType, "multipart"),
            (SlicerWire.Request(HttpMethod.Post, "/infer/flair?image=kept", SlicerWire.Multipart("[1,").Body, type), HttpStatusCode.BadRequest, "params is not valid JSON"),
        };

        // Then each is refused with its status and a JSON error naming the problem, never a stack trace
        foreach (var (request, expected, message) in cases)
        {
            var answer = await client.SendAsync(request);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(expected == answer.StatusCode, $"{request.RequestUri}: {answer.StatusCode} {text}");
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
            Assert.Contains(message, error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
            Assert.DoesNotContain(options.UploadDirectory, error, StringComparison.Ordinal);
        }

        // And the store holds exactly what it held, with no temporary file left, and the server still segments
        Assert.Equal(before, ServerTestData.Snapshot(options.UploadDirectory));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SlicerWire.Infer("flair", "kept"))).StatusCode);
    }

    [Fact]
    public async Task UnknownModelStrategyOrImage_Are404_AndAnEmptyQueueIsAnEmptyObject()
    {
        // Given a server
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();

        // When a client names what does not exist, and asks for next samples until none is left
        var model = await client.SendAsync(SlicerWire.Infer("nope", "Phantom001"));
        var image = await client.SendAsync(SlicerWire.Infer("brats", "Phantom999"));
        var strategy = await client.PostAsync(new Uri("/activelearning/uncertainty", UriKind.Relative), null);
        var samples = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            samples.Add(await (await client.PostAsync(new Uri("/activelearning/random", UriKind.Relative), null)).Content.ReadAsStringAsync());
        }

        // Then each unknown is a 404 naming what exists, and the two unlabelled cases come once each, then {}
        Assert.Equal(HttpStatusCode.NotFound, model.StatusCode);
        Assert.Contains("brats, flair", await model.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, image.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, strategy.StatusCode);
        Assert.Equal(["Phantom002", "Phantom003"], samples.Take(2).Select(s => JsonDocument.Parse(s).RootElement.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("{}", samples[2]);
    }

    /// <summary>Waits up to 30 s for <paramref name="condition"/>.</summary>
    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), "timed out waiting for the server");
    }

    private static Volume ReadNifti(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"segan-serve-{Guid.NewGuid():N}.nii.gz");
        File.WriteAllBytes(path, bytes);
        try
        {
            return ImageFile.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<Dictionary<string, (string? FileName, byte[] Data)>> Parts(HttpResponseMessage response, byte[] body)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(SlicerWire.ContentType(response)).Boundary).Value!;
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        var parts = new Dictionary<string, (string?, byte[])>(StringComparer.Ordinal);
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            var disposition = ContentDispositionHeaderValue.Parse(section.ContentDisposition);
            using var data = new MemoryStream();
            await section.Body.CopyToAsync(data);
            parts[HeaderUtilities.RemoveQuotes(disposition.Name).Value!] = (HeaderUtilities.RemoveQuotes(disposition.FileName).Value, data.ToArray());
        }

        return parts;
    }
}
