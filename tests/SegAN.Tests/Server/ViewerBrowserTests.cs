using System.Globalization;
using PuppeteerSharp;
using SegAN.Cli;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Reporting;
using SegAN.Tests.Distributed;
using Spectre.Console.Testing;
using StbImageSharp;

namespace SegAN.Tests.Server;

/// <summary>
/// The viewer page in a real headless Chromium (Debian's, driven over the DevTools protocol by PuppeteerSharp; WebGL2
/// through SwiftShader) against the real <c>segan serve</c> process with a tiny trained model. Skipped without
/// /usr/bin/chromium, except under CI=true (.ci/run installs it). Screenshots are kept in
/// <see cref="ArtifactDirectory"/> (bin/Release/net10.0/artifacts/viewer beside the test assembly).
/// </summary>
public sealed class ViewerBrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly string _root = Directory.CreateTempSubdirectory("segan-viewer-tests-").FullName;

    public static string ArtifactDirectory => Path.Combine(AppContext.BaseDirectory, "artifacts", "viewer");

    [SkippableFact]
    public async Task Page_SegmentsAPhantomEndToEnd_ShowsTheServersErrors_AndFetchesNothingFromElsewhere()
    {
        RequireChromium();

        // Given a tiny model trained a few steps on phantoms, a new phantom case, and segan serve on 127.0.0.1
        var train = Path.Combine(_root, "train");
        PhantomGenerator.WriteDataset(new DirectoryInfo(train), 4, new PhantomOptions(Size: 32, Seed: 3));
        var run = Path.Combine(_root, "run");
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(
            ["train", "--data", train, "--out", run, "--steps", "12", "--batch", "4", "--depth", "1", "--critic-depth", "1", "--width", "4",
             "--slice-size", "16", "--crop", "24x24x16", "--val-every", "100", "--val-fraction", "0", "--seed", "1", "--threads", "1"],
            new TestConsole()));
        var model = Path.Combine(run, "model.segan");
        var cases = Path.Combine(_root, "cases");
        PhantomGenerator.WriteDataset(new DirectoryInfo(cases), 1, new PhantomOptions(Size: 32, Seed: 11));
        var caseDir = Path.Combine(cases, "Phantom001");
        var expected = Path.Combine(_root, "predicted");
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["predict", "-m", model, "-i", caseDir, "-o", expected, "--device", "cpu"], new TestConsole()));
        var expectedFile = Path.Combine(expected, "Phantom001_seg.nii.gz");
        var junk = Path.Combine(_root, "junk.nii.gz");
        await File.WriteAllBytesAsync(junk, [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 7))]);

        using var server = ClusterTools.Start(
            ClusterTools.Dotnet,
            [ClusterTools.CliDll, "serve", "-m", $"tiny={model}", "--studies", cases, "--preset", "brats2021", "--host", "127.0.0.1", "--port", "0", "--device", "cpu", "--threads", "1", "--uploads", Path.Combine(_root, "uploads")],
            _root);
        var output = new List<string>();
        var url = ServeProcessTests.WaitForUrl(server, output);
        var downloads = Directory.CreateDirectory(Path.Combine(_root, "downloads")).FullName;
        var requests = new List<string>();
        var problems = new List<string>();
        var console = new List<string>();
        try
        {
            await using var browser = await Launch();
            await using var page = await browser.NewPageAsync();
            await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 1000 });
            page.Request += (_, e) =>
            {
                lock (requests)
                {
                    requests.Add(e.Request.Url);
                }
            };
            // Uncaught exceptions fail the test; console lines (NiiVue's own complaint about the junk file, the 400) are kept.
            page.PageError += (_, e) => problems.Add("page error: " + e.Message);
            page.Console += (_, e) =>
            {
                lock (console)
                {
                    console.Add($"{e.Message.Type}: {e.Message.Text}");
                }
            };
            await page.Client.SendAsync("Page.setDownloadBehavior", new Dictionary<string, object> { ["behavior"] = "allow", ["downloadPath"] = downloads });

            // When the page is opened, it lists the model and the modalities it needs, in order
            await page.GoToAsync(url + "/", new NavigationOptions { Timeout = 60_000 });
            await page.WaitForSelectorAsync("body[data-ready='true']", new WaitForSelectorOptions { Timeout = 60_000 });
            Assert.Contains("T1c, T2, FLAIR", await Text(page, "#model-needs"), StringComparison.Ordinal);

            // And a junk file is given as FLAIR (no pattern names it: it takes the modality left) and Segment is pressed
            var input = await page.QuerySelectorAsync("#files");
            await input.UploadFileAsync(Path.Combine(caseDir, "Phantom001_t1ce.nii.gz"), Path.Combine(caseDir, "Phantom001_t2.nii.gz"), junk);
            Assert.Equal("FLAIR", await page.EvaluateExpressionAsync<string>("document.querySelector('#file-list select[data-index=\"2\"]').value"));
            await page.ClickAsync("#segment");

            // Then the server's one-line message is shown
            await page.WaitForSelectorAsync("#error:not([hidden])", new WaitForSelectorOptions { Timeout = 60_000 });
            var error = await Text(page, "#error");
            Assert.StartsWith("not a readable image: junk.nii.gz", error, StringComparison.Ordinal);
            await page.ScreenshotAsync(Path.Combine(ArtifactDirectory, "viewer-junk-error.png"));

            // When the case's own files are chosen instead (the page still works) and Segment is pressed
            await input.UploadFileAsync(Path.Combine(caseDir, "Phantom001_t1ce.nii.gz"), Path.Combine(caseDir, "Phantom001_t2.nii.gz"), Path.Combine(caseDir, "Phantom001_flair.nii.gz"));
            Assert.Equal("Phantom001", await page.EvaluateExpressionAsync<string>("document.getElementById('case-name').value"));
            await page.ClickAsync("#segment");
            await page.WaitForSelectorAsync("#gl[data-overlay='ready']", new WaitForSelectorOptions { Timeout = 120_000 });

            // Then the error is gone and the label map downloaded from the page is byte for byte segan predict's
            Assert.True(await page.EvaluateExpressionAsync<bool>("document.getElementById('error').hidden"));
            Assert.Equal("Phantom001_seg.nii.gz", await page.EvaluateExpressionAsync<string>("document.getElementById('download').download"));
            await page.ClickAsync("#download");
            var downloaded = Path.Combine(downloads, "Phantom001_seg.nii.gz");
            var until = DateTime.UtcNow.AddSeconds(30);
            while (!File.Exists(downloaded) && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }

            Assert.True(File.Exists(downloaded), "the page's download did not arrive");
            Assert.Equal(await File.ReadAllBytesAsync(expectedFile), await File.ReadAllBytesAsync(downloaded));

            // And the volume table is each region's voxel count times the voxel volume
            var labels = ImageFile.Read(expectedFile);
            var regions = BratsLabels.ToRegions(labels.Data, LabelConvention.Brats2021, expectedFile);
            var n = labels.Data.Length;
            var voxelMl = labels.Geometry.Spacing[0] * labels.Geometry.Spacing[1] * labels.Geometry.Spacing[2] / 1000;
            var wholeTumour = regions.AsSpan(0, n).ToArray().Count(v => v != 0);
            Assert.True(wholeTumour > 0, "the tiny model found no tumour; the overlay could not be checked");
            for (var r = 0; r < 3; r++)
            {
                var name = LabelNames.Regions[r].ShortName();
                var count = regions.AsSpan(r * n, n).ToArray().Count(v => v != 0);
                var cells = await page.EvaluateExpressionAsync<string[]>($"[...document.querySelectorAll('#volumes tr[data-region=\"{name}\"] td')].map(td => td.textContent)");
                Assert.Equal(count.ToString(CultureInfo.InvariantCulture), cells[1]);
                Assert.Equal((count * voxelMl).ToString("F2", CultureInfo.InvariantCulture), cells[2]);
            }

            // And the table has no Dice column: the server has no ground truth for an upload
            Assert.True(await page.EvaluateExpressionAsync<bool>("document.querySelector('#volumes th.dice').hidden"));

            // And with the labels opaque, the axial view shows the tumour in the reports' colours
            await page.EvaluateExpressionAsync("(() => { const o = document.getElementById('opacity'); o.value = '1'; o.dispatchEvent(new Event('input')); })()");
            await page.ClickAsync("#views button[data-view='axial']");
            await Task.Delay(500);
            var canvas = await page.QuerySelectorAsync("#gl");
            var axial = await canvas.ScreenshotDataAsync();
            await File.WriteAllBytesAsync(Path.Combine(ArtifactDirectory, "viewer-axial.png"), axial);
            var tumourPixels = CountColours(axial, [Rgb.Yellow, Rgb.Blue, Rgb.Red]);
            Assert.True(tumourPixels > 0, "no pixel of the tumour colours in the axial view (viewer-axial.png)");
            Assert.StartsWith("voxel (", await Text(page, "#location"), StringComparison.Ordinal);
            Assert.Contains("label", await Text(page, "#location"), StringComparison.Ordinal);

            // And the other views render (3D with SwiftShader too); the page's picture for the README is the multiplanar one
            await page.ClickAsync("#views button[data-view='render']");
            await Task.Delay(500);
            await page.ScreenshotAsync(Path.Combine(ArtifactDirectory, "viewer-3d.png"));
            await page.EvaluateExpressionAsync("(() => { const o = document.getElementById('opacity'); o.value = '0.6'; o.dispatchEvent(new Event('input')); })()");
            await page.ClickAsync("#views button[data-view='multiplanar']");
            await Task.Delay(500);
            await page.EvaluateExpressionAsync("document.querySelector('aside').scrollTop = 0");
            await page.ScreenshotAsync(Path.Combine(ArtifactDirectory, "viewer-page.png"));

            // When the same case is picked from the server's studies, which hold its ground truth, and segmented
            await page.SelectAsync("#study", "Phantom001");
            await page.WaitForSelectorAsync("#segment:not([disabled])", new WaitForSelectorOptions { Timeout = 60_000 });
            await page.ClickAsync("#segment");
            await page.WaitForSelectorAsync("#gl[data-overlay='ready']", new WaitForSelectorOptions { Timeout = 120_000 });

            // Then the table shows the Dice of each region against it
            Assert.False(await page.EvaluateExpressionAsync<bool>("document.querySelector('#volumes th.dice').hidden"));
            var truth = BratsLabels.ToRegions(ImageFile.Read(Path.Combine(caseDir, "Phantom001_seg.nii.gz")).Data, LabelConvention.Brats2021, "truth");
            for (var r = 0; r < 3; r++)
            {
                var name = LabelNames.Regions[r].ShortName();
                var (both, predicted, actual) = (0, 0, 0);
                for (var i = 0; i < n; i++)
                {
                    both += regions[(r * n) + i] & truth[(r * n) + i];
                    predicted += regions[(r * n) + i];
                    actual += truth[(r * n) + i];
                }

                var dice = predicted + actual == 0 ? 1.0 : 2.0 * both / (predicted + actual);
                var cell = await page.EvaluateExpressionAsync<string>($"document.querySelector('#volumes tr[data-region=\"{name}\"] td:nth-child(4)').textContent");
                Assert.Equal(dice.ToString("F3", CultureInfo.InvariantCulture), cell);
            }

            await page.ScreenshotAsync(Path.Combine(ArtifactDirectory, "viewer-study-dice.png"));
        }
        finally
        {
            string[] lines;
            lock (console)
            {
                lines = [.. console];
            }

            await File.WriteAllLinesAsync(Path.Combine(ArtifactDirectory, "viewer-console.log"), lines);

            server.Kill(entireProcessTree: true);
            server.WaitForExit(30_000);
        }

        // And every request went to the server itself (data: and blob: URLs are the page's own memory)
        Assert.All(requests, r => Assert.True(
            r.StartsWith(url + "/", StringComparison.Ordinal) || r.StartsWith("data:", StringComparison.Ordinal) || r.StartsWith("blob:", StringComparison.Ordinal),
            $"a request not to {url}: {r}"));
        Assert.Empty(problems);
        lock (output)
        {
            Assert.Contains(output, line => line.Contains("GET /info/ 200", StringComparison.Ordinal));
            Assert.Contains(output, line => line.Contains("POST /ui/api/segment/tiny 400", StringComparison.Ordinal));
            Assert.Contains(output, line => line.Contains("POST /ui/api/segment/tiny 200", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// The README's picture (docs/viewer.png): the page over a held-out case of <c>segan demo</c>, segmented with the
    /// demo's model, Dice against the case's truth shown. Runs only when SEGAN_VIEWER_PICTURE names the demo's folder;
    /// writes SEGAN_VIEWER_PICTURE_OUT (default viewer.png in the artefact folder).
    /// </summary>
    [SkippableFact]
    public async Task ReadmePicture_OfADemoCase()
    {
        var demo = Environment.GetEnvironmentVariable("SEGAN_VIEWER_PICTURE");
        Skip.If(string.IsNullOrEmpty(demo), "set SEGAN_VIEWER_PICTURE to a segan demo folder to take the README's picture");
        RequireChromium();
        var picture = Environment.GetEnvironmentVariable("SEGAN_VIEWER_PICTURE_OUT") is { Length: > 0 } o ? o : Path.Combine(ArtifactDirectory, "viewer.png");
        using var server = ClusterTools.Start(
            ClusterTools.Dotnet,
            [ClusterTools.CliDll, "serve", "-m", $"demo={Path.Combine(demo, "run", "model.segan")}", "--studies", Path.Combine(demo, "data", "test"),
             "--uploads", Path.Combine(_root, "uploads"), "--port", "0", "--device", "cpu", "--threads", "1"],
            _root);
        var url = ServeProcessTests.WaitForUrl(server, []);
        try
        {
            await using var browser = await Launch();
            await using var page = await browser.NewPageAsync();
            await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 900 });
            await page.GoToAsync(url + "/", new NavigationOptions { Timeout = 60_000 });
            await page.WaitForSelectorAsync("body[data-ready='true']", new WaitForSelectorOptions { Timeout = 60_000 });
            var study = await page.EvaluateExpressionAsync<string>("document.querySelector('#study option:nth-child(2)').value");
            await page.SelectAsync("#study", study);
            await page.WaitForSelectorAsync("#segment:not([disabled])", new WaitForSelectorOptions { Timeout = 60_000 });
            await page.ClickAsync("#segment");
            await page.WaitForSelectorAsync("#gl[data-overlay='ready']", new WaitForSelectorOptions { Timeout = 300_000 });
            await page.ClickAsync("#views button[data-view='multiplanar']");
            await Task.Delay(1000);
            await page.EvaluateExpressionAsync("document.querySelector('aside').scrollTop = 0");
            await page.ScreenshotAsync(picture);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit(30_000);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing browser; the OS cleans the temp folder.
        }
    }

    private static void RequireChromium()
    {
        var found = File.Exists(Chromium);
        Assert.False(!found && ClusterTools.IsCi, $"{Chromium} is required under CI=true (.ci/run installs Debian's chromium)");
        Skip.If(!found, $"{Chromium} is not installed (apt-get install chromium)");
        Directory.CreateDirectory(ArtifactDirectory);
    }

    /// <summary>Debian's chromium, headless, WebGL2 through SwiftShader; --no-sandbox because CI runs as root.</summary>
    private static Task<IBrowser> Launch() => Puppeteer.LaunchAsync(new LaunchOptions
    {
        ExecutablePath = Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-dev-shm-usage", "--no-first-run"],
        Timeout = 60_000,
    });

    private static Task<string> Text(IPage page, string selector) =>
        page.EvaluateExpressionAsync<string>($"document.querySelector(\"{selector}\").textContent.trim()");

    /// <summary>Pixels of a PNG within a few levels of any of <paramref name="colours"/>.</summary>
    private static int CountColours(byte[] png, Rgb[] colours)
    {
        var image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue);
        var count = 0;
        for (var i = 0; i < image.Data.Length; i += 3)
        {
            var (r, g, b) = (image.Data[i], image.Data[i + 1], image.Data[i + 2]);
            if (colours.Any(c => Math.Abs(c.R - r) <= 8 && Math.Abs(c.G - g) <= 8 && Math.Abs(c.B - b) <= 8))
            {
                count++;
            }
        }

        return count;
    }
}
