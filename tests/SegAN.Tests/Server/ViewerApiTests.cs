using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SegAN.Cli;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Server;
using Spectre.Console.Testing;

namespace SegAN.Tests.Server;

/// <summary>The viewer page's files and its JSON API in ASP.NET's in-memory test host (the browser test is <see cref="ViewerBrowserTests"/>).</summary>
public sealed class ViewerApiTests(ServerTestData data) : IClassFixture<ServerTestData>
{
    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/ui/", "text/html")]
    [InlineData("/ui/viewer.js", "text/javascript")]
    [InlineData("/ui/viewer.css", "text/css")]
    [InlineData("/ui/niivue.js", "text/javascript")]
    public async Task Page_IsServedByTheServer_WithNothingFromElsewhere(string path, string contentType)
    {
        // Given a server
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();

        // When the browser asks for the page or one of its files
        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        // Then it is there, and the page's own files name no other host (NiiVue's bundle only mentions URLs in comments)
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        if (!path.EndsWith("niivue.js", StringComparison.Ordinal))
        {
            Assert.DoesNotContain("http://", text, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("Niivue", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Ui_WithoutTheSlash_RedirectsToThePage_AndAnUnknownFileIs404()
    {
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient(new() { AllowAutoRedirect = false });

        var redirect = await client.GetAsync(new Uri("/ui", UriKind.Relative));
        var missing = await client.GetAsync(new Uri("/ui/nothing.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/ui/", redirect.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("nothing.js", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_ListsModelsWithModalitiesInOrder_ThePatterns_AndTheStudies()
    {
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();

        using var config = JsonDocument.Parse(await client.GetStringAsync(new Uri("/ui/api/config", UriKind.Relative)));

        var root = config.RootElement;
        var brats = root.GetProperty("models")[0];
        Assert.Equal("brats", brats.GetProperty("name").GetString());
        Assert.Equal(["T1c", "T2", "FLAIR"], brats.GetProperty("modalities").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("brats2021", brats.GetProperty("labels").GetString());

        // BraTS 2021's labels in the reports' colours: necrosis in the core's blue, edema in the whole tumour's yellow, 4 red
        Assert.Equal(
            [(1, "#1e64ff"), (2, "#ffdc00"), (4, "#e61414")],
            brats.GetProperty("label_values").EnumerateArray().Select(v => (v.GetProperty("value").GetInt32(), v.GetProperty("colour").GetString())));
        var families = root.GetProperty("patterns").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Equal(["studies", "brats2023", "brats2021", "brats2015"], families);
        Assert.Contains(
            root.GetProperty("patterns")[0].GetProperty("modalities").EnumerateArray(),
            p => p.GetProperty("modality").GetString() == "T1c" && p.GetProperty("pattern").GetString() == "*_t1ce.nii.gz");
        Assert.Equal(["Phantom001", "Phantom002", "Phantom003"], root.GetProperty("studies").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.True(root.GetProperty("studies")[0].GetProperty("labelled").GetBoolean());
    }

    [Fact]
    public async Task Segment_UploadedFiles_AnswersVolumes_AndTheLabelMapSeganPredictWrites()
    {
        // Given a server and a case's three files
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();
        var folder = Path.Combine(data.Studies, "Phantom002");

        // When the page uploads them, one part per modality, with the case's name
        using var form = new MultipartFormDataContent
        {
            { new StringContent("Phantom002"), "case" },
            { File(Path.Combine(folder, "Phantom002_t1ce.nii.gz")), "T1c", "Phantom002_t1ce.nii.gz" },
            { File(Path.Combine(folder, "Phantom002_t2.nii.gz")), "T2", "Phantom002_t2.nii.gz" },
            { File(Path.Combine(folder, "Phantom002_flair.nii.gz")), "FLAIR", "Phantom002_flair.nii.gz" },
        };
        var response = await client.PostAsync(new Uri("/ui/api/segment/brats", UriKind.Relative), form);

        // Then the answer names the file and its URL, and the label map is byte for byte segan predict's
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = answer.RootElement;
        Assert.Equal("Phantom002_seg.nii.gz", root.GetProperty("file").GetString());
        Assert.False(root.GetProperty("has_truth").GetBoolean());
        var download = await client.GetAsync(new Uri(root.GetProperty("url").GetString()!, UriKind.Relative));
        Assert.Equal("Phantom002_seg.nii.gz", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await download.Content.ReadAsByteArrayAsync();
        var predicted = Path.Combine(data.Root, $"viewer-predict-{Guid.NewGuid():N}");
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["predict", "-m", data.MultiModel, "-i", folder, "-o", predicted, "--device", "cpu"], new TestConsole()));
        Assert.Equal(System.IO.File.ReadAllBytes(Path.Combine(predicted, "Phantom002_seg.nii.gz")), bytes);

        // And each region's volume is its voxel count times the voxel's volume
        var labels = ImageFile.Read(Path.Combine(predicted, "Phantom002_seg.nii.gz"));
        var regions = BratsLabels.ToRegions(labels.Data, LabelConvention.Brats2021, "predicted");
        var n = labels.Data.Length;
        var voxelMl = labels.Geometry.Spacing[0] * labels.Geometry.Spacing[1] * labels.Geometry.Spacing[2] / 1000;
        for (var r = 0; r < 3; r++)
        {
            var count = regions.AsSpan(r * n, n).ToArray().Count(v => v != 0);
            var region = root.GetProperty("regions")[r];
            Assert.Equal(count, region.GetProperty("voxels").GetInt64());
            Assert.Equal(count * voxelMl, region.GetProperty("ml").GetDouble(), 9);
        }
    }

    [Fact]
    public async Task Segment_AStudiesCaseWithGroundTruth_AnswersDicePerRegion()
    {
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();

        var response = await client.PostAsync(new Uri("/ui/api/segment/brats?study=Phantom001", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(answer.RootElement.GetProperty("has_truth").GetBoolean());

        // And each region's Dice is 2|P∩T| / (|P| + |T|) between segan predict's map and the case's truth
        var predicted = Path.Combine(data.Root, $"viewer-predict-{Guid.NewGuid():N}");
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["predict", "-m", data.MultiModel, "-i", Path.Combine(data.Studies, "Phantom001"), "-o", predicted, "--device", "cpu"], new TestConsole()));
        var p = BratsLabels.ToRegions(ImageFile.Read(Path.Combine(predicted, "Phantom001_seg.nii.gz")).Data, LabelConvention.Brats2021, "predicted");
        var t = BratsLabels.ToRegions(ImageFile.Read(Path.Combine(data.Studies, "Phantom001", "Phantom001_seg.nii.gz")).Data, LabelConvention.Brats2021, "truth");
        var n = p.Length / 3;
        for (var r = 0; r < 3; r++)
        {
            var (both, sum) = (0, 0);
            for (var i = r * n; i < (r + 1) * n; i++)
            {
                both += p[i] & t[i];
                sum += p[i] + t[i];
            }

            Assert.Equal(sum == 0 ? 1.0 : 2.0 * both / sum, answer.RootElement.GetProperty("regions")[r].GetProperty("dice").GetDouble(), 12);
        }

        var image = await client.GetAsync(new Uri("/ui/api/studies/Phantom001/FLAIR/Phantom001_flair.nii.gz", UriKind.Relative));
        Assert.Equal(System.IO.File.ReadAllBytes(Path.Combine(data.Studies, "Phantom001", "Phantom001_flair.nii.gz")), await image.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Segment_AJunkFile_Is400NamingTheClientsFile_AndLeavesNothingBehind()
    {
        using var server = new ServerFactory(data.Options());
        using var client = server.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent([1, 2, 3, 4, 5, 6, 7, 8]), "FLAIR", "junk.nii.gz" },
        };

        var response = await client.PostAsync(new Uri("/ui/api/segment/flair", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith("not a readable image: ", error, StringComparison.Ordinal);
        Assert.Contains("junk.nii.gz", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        var state = server.Services.GetService(typeof(ServerState)) as ServerState;
        Assert.Empty(Directory.GetDirectories(state!.WorkDirectory));
    }

    [Fact]
    public void Focus_IsATumourVoxelOnTheSliceWhereTheTumourIsLargest()
    {
        // A 4x4x3 grid: one voxel on slice 0, three on slice 2 (an L around (1, 1))
        var mask = new byte[4 * 4 * 3];
        mask[0] = 1;
        foreach (var (x, y) in new[] { (1, 1), (2, 1), (1, 2) })
        {
            mask[(2 * 16) + (y * 4) + x] = 1;
        }

        Assert.Equal([1, 1, 2], ViewerApi.Focus(mask, [4, 4, 3]) ?? []);
        Assert.Null(ViewerApi.Focus(new byte[8], [2, 2, 2]));
    }

    private static ByteArrayContent File(string path)
    {
        var content = new ByteArrayContent(System.IO.File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
