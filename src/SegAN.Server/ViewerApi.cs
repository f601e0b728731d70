using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Inference;
using SegAN.Metrics;

namespace SegAN.Server;

/// <summary>
/// The viewer page (<c>/</c> and <c>/ui/</c>) and its small JSON API beside MONAI Label's (docs/viewer.md): the models
/// with their modalities and label colours, the file-name patterns that assign files to modalities, the studies cases,
/// and a segmentation that answers in the model's own label convention, exactly as <c>segan predict</c> writes it,
/// with per-region volumes and, for a studies case with a ground truth, Dice.
/// </summary>
internal static partial class ViewerApi
{
    /// <summary>Label maps kept for download after a segmentation (the oldest is dropped first).</summary>
    private const int KeptResults = 16;

    public static void Map(IEndpointRouteBuilder routes, ServerState state)
    {
        routes.MapGet("/", context => Asset(context, "index.html"));
        routes.MapGet("/ui", context =>
        {
            if (context.Request.Path.Value?.EndsWith('/') == true)
            {
                return Asset(context, "index.html");
            }

            // One address for the page, so that bookmarks and relative links agree.
            context.Response.Redirect("/ui/");
            return Task.CompletedTask;
        });
        routes.MapGet("/ui/{file}", context => Asset(context, (string?)context.Request.RouteValues["file"] ?? string.Empty));
        routes.MapGet("/ui/api/config", context => MonaiLabelApi.Json(context, 200, Config(state)));
        routes.MapGet("/ui/api/studies/{id}/{modality}/{name}", context => StudyImage(context, state));
        routes.MapPost("/ui/api/segment/{model}", context => Segment(context, state));
        routes.MapGet("/ui/api/results/{token}/{name}", context => Result(context, state));
    }

    /// <summary>The page's files, embedded in this assembly at build time (web/ and the restored NiiVue bundle).</summary>
    private static async Task Asset(HttpContext context, string file)
    {
        var contentType = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => null,
        };
        using var stream = contentType is null ? null : typeof(ViewerApi).Assembly.GetManifestResourceStream("web/" + file);
        if (stream is null)
        {
            throw new ServerException(404, $"no such file: /ui/{file}");
        }

        context.Response.ContentType = contentType;
        context.Response.ContentLength = stream.Length;
        context.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task StudyImage(HttpContext context, ServerState state)
    {
        var image = state.Store.Find(ImageId.Require((string?)context.Request.RouteValues["id"], "id"));
        var modality = (string?)context.Request.RouteValues["modality"];
        var index = image.Case?.Modalities.ToList().FindIndex(m => string.Equals(m, modality, StringComparison.OrdinalIgnoreCase)) ?? -1;
        if (index < 0)
        {
            throw new ServerException(404, $"image '{image.Id}' has no {modality} file");
        }

        var path = image.Case!.ModalityFiles[index];
        await SendFile(context, await File.ReadAllBytesAsync(path, context.RequestAborted).ConfigureAwait(false), Path.GetFileName(path)).ConfigureAwait(false);
    }

    /// <summary>
    /// Segments a studies case (<c>?study=ID</c>) or the uploaded files (multipart, one part per modality named after
    /// it, and an optional <c>case</c> field naming the case) with the model's own labels.
    /// </summary>
    private static async Task Segment(HttpContext context, ServerState state)
    {
        var model = state.Model((string?)context.Request.RouteValues["model"]);
        var study = context.Request.Query["study"].ToString();
        if (study.Length > 0)
        {
            _ = await RequestForm.Read(context.Request, 1 << 20, null, context.RequestAborted).ConfigureAwait(false);
            var files = state.Store.ForModel(ImageId.Require(study, "study"), model);
            var truth = state.Store.Find(study).Case?.SegFile;
            await Answer(context, state, model, study, files, truth).ConfigureAwait(false);
            return;
        }

        var folder = Directory.CreateDirectory(Path.Combine(state.WorkDirectory, $"upload-{Guid.NewGuid():N}")).FullName;
        try
        {
            var (caseName, uploaded) = await ReadUpload(context.Request, state.Options.MaxUploadBytes, folder, model.Modalities, context.RequestAborted).ConfigureAwait(false);
            var files = CaseFiles.FromFiles([.. model.Modalities], [.. model.Modalities.Select(m => uploaded[m])], name: caseName);
            await Answer(context, state, model, caseName, files, null).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task Answer(HttpContext context, ServerState state, ServedSegmentor model, string caseName, CaseFiles files, string? truthFile)
    {
        var (result, _) = await state.Inference.Segment(model, "viewer:" + caseName, files, ownLabels: true).ConfigureAwait(false);
        var labels = ReadLabelMap(state, result.LabelMap);
        var convention = model.OwnLabelsPredictor.Labels;
        var truth = truthFile is null ? null : ImageFile.Read(truthFile);
        if (truth is not null && !truth.Geometry.Shape.SequenceEqual(labels.Geometry.Shape))
        {
            truth = null; // a ground truth on another grid cannot be compared voxel by voxel
        }

        var predicted = BratsLabels.ToRegions(labels.Data, convention, "the label map");
        var expected = truth is null ? null : BratsLabels.ToRegions(truth.Data, state.Options.StudiesLayout?.Labels ?? convention, truthFile!);
        var n = labels.Data.Length;
        var voxelMl = labels.Geometry.Spacing.Take(3).Aggregate(1.0, (a, b) => a * b) / 1000;
        var regions = new JsonArray();
        for (var r = 0; r < LabelNames.Regions.Count; r++)
        {
            var mask = predicted.AsSpan(r * n, n);
            var voxels = 0L;
            foreach (var v in mask)
            {
                voxels += v;
            }

            var entry = new JsonObject
            {
                ["name"] = LabelNames.Regions[r].ShortName(),
                ["voxels"] = voxels,
                ["ml"] = voxels * voxelMl,
            };
            if (expected is not null)
            {
                entry["dice"] = Overlap.Dice(ToBool(mask), ToBool(expected.AsSpan(r * n, n)));
            }

            regions.Add(entry);
        }

        var token = Guid.NewGuid().ToString("N");
        var fileName = DatasetPredictor.OutputName(caseName);
        state.ViewerResults.Keep(token, fileName, result.LabelMap, KeptResults);
        await MonaiLabelApi.Json(context, 200, new JsonObject
        {
            ["case"] = caseName,
            ["model"] = model.Model.Name,
            ["labels"] = convention.Name(),
            ["file"] = fileName,
            ["url"] = $"/ui/api/results/{token}/{fileName}",
            ["shape"] = new JsonArray([.. labels.Geometry.Shape.Select(s => (JsonNode)s)]),
            ["spacing"] = new JsonArray([.. labels.Geometry.Spacing.Select(s => (JsonNode)s)]),
            ["voxel_ml"] = voxelMl,
            ["regions"] = regions,
            ["has_truth"] = expected is not null,
            ["focus"] = Focus(predicted.AsSpan(0, n), labels.Geometry.Shape) is { } focus ? new JsonArray(focus[0], focus[1], focus[2]) : null,
            ["seconds"] = Math.Round(result.Seconds, 3),
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// A voxel of the whole tumour on the axial slice where it is largest, the nearest to that slice's tumour centroid:
    /// where the page puts its crosshair first. Null without tumour.
    /// </summary>
    internal static int[]? Focus(ReadOnlySpan<byte> wholeTumour, int[] shape)
    {
        int nx = shape[0], ny = shape[1], nz = shape[2];
        var (bestZ, bestArea) = (-1, 0L);
        for (var z = 0; z < nz; z++)
        {
            var area = 0L;
            foreach (var v in wholeTumour.Slice(z * nx * ny, nx * ny))
            {
                area += v;
            }

            if (area > bestArea)
            {
                (bestZ, bestArea) = (z, area);
            }
        }

        if (bestZ < 0)
        {
            return null;
        }

        var plane = wholeTumour.Slice(bestZ * nx * ny, nx * ny);
        double sx = 0, sy = 0;
        for (var i = 0; i < plane.Length; i++)
        {
            if (plane[i] != 0)
            {
                sx += i % nx;
                sy += i / nx;
            }
        }

        var (cx, cy) = (sx / bestArea, sy / bestArea);
        var (best, bestDistance) = (0, double.MaxValue);
        for (var i = 0; i < plane.Length; i++)
        {
            var d = plane[i] == 0 ? double.MaxValue : Math.Pow((i % nx) - cx, 2) + Math.Pow((i / nx) - cy, 2);
            if (d < bestDistance)
            {
                (best, bestDistance) = (i, d);
            }
        }

        return [best % nx, best / nx, bestZ];
    }

    private static bool[] ToBool(ReadOnlySpan<byte> mask)
    {
        var result = new bool[mask.Length];
        for (var i = 0; i < mask.Length; i++)
        {
            result[i] = mask[i] != 0;
        }

        return result;
    }

    private static Volume ReadLabelMap(ServerState state, byte[] bytes)
    {
        var path = Path.Combine(state.WorkDirectory, $"{Guid.NewGuid():N}.nii.gz");
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

    private static async Task Result(HttpContext context, ServerState state)
    {
        var token = (string?)context.Request.RouteValues["token"] ?? string.Empty;
        var (fileName, bytes) = state.ViewerResults.Find(token) ?? throw new ServerException(404, "no such result (the server keeps the last 16 label maps; segment again)");
        await SendFile(context, bytes, fileName).ConfigureAwait(false);
    }

    private static async Task SendFile(HttpContext context, byte[] bytes, string fileName)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the page's upload: one image part per modality the model needs (the part's name is the modality), and a
    /// <c>case</c> field (a valid ID; default the first file's name without extensions). Each image is checked with the
    /// library's reader; a file it cannot read is a 400 naming the client's file.
    /// </summary>
    private static async Task<(string Case, Dictionary<string, string> Files)> ReadUpload(
        HttpRequest request, long limit, string folder, IReadOnlyList<string> modalities, CancellationToken cancellation)
    {
        if (request.ContentLength > limit)
        {
            throw RequestForm.TooLarge(limit);
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ServerException(415, "send the images as multipart/form-data, one part per modality");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw new ServerException(400, "multipart/form-data without a boundary");
        }

        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var clientNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? caseName = null;
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = limit };
            while (await reader.ReadNextSectionAsync(cancellation).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    throw new ServerException(400, "a multipart part without a Content-Disposition");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                var clientFile = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                if (name == "case")
                {
                    using var text = new StreamReader(section.Body);
                    caseName = (await text.ReadToEndAsync(cancellation).ConfigureAwait(false)).Trim();
                    continue;
                }

                var modality = modalities.FirstOrDefault(m => string.Equals(m, name, StringComparison.OrdinalIgnoreCase));
                if (modality is null || clientFile is null || files.ContainsKey(modality))
                {
                    throw new ServerException(400, $"unexpected part '{name}': send one image per modality, named {string.Join(", ", modalities)}");
                }

                var shown = Path.GetFileName(clientFile.Replace('\\', '/'));
                var path = Path.Combine(folder, modality + ImageStore.UploadExtension(shown));
                await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                {
                    await RequestForm.CopyLimited(section.Body, output, limit, cancellation).ConfigureAwait(false);
                }

                files[modality] = path;
                clientNames[modality] = shown;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw RequestForm.BodyError(e, limit);
        }

        var missing = modalities.Where(m => !files.ContainsKey(m)).ToList();
        if (missing.Count > 0)
        {
            throw new ServerException(400, $"no {string.Join(", ", missing)} image: this model needs {string.Join(", ", modalities)}");
        }

        foreach (var (modality, path) in files)
        {
            try
            {
                _ = ImageFile.Read(path);
            }
            catch (Exception e) when (ImageStore.IsReaderError(e))
            {
                // The reader names the file; name the client's file, not the server's temporary one.
                throw new ServerException(400, $"not a readable image: {e.Message.Replace(path, clientNames[modality], StringComparison.Ordinal)}");
            }
        }

        caseName ??= CaseFiles.StripExtensions(clientNames[modalities[0]]);
        return (ImageId.Require(caseName, "case"), files);
    }
}

/// <summary>The label maps of the viewer's last segmentations, by an unguessable token, for download.</summary>
internal sealed class ViewerResults
{
    private readonly ConcurrentDictionary<string, (string FileName, byte[] Bytes)> _results = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public void Keep(string token, string fileName, byte[] bytes, int capacity)
    {
        _results[token] = (fileName, bytes);
        _order.Enqueue(token);
        while (_results.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _results.TryRemove(oldest, out _);
        }
    }

    public (string FileName, byte[] Bytes)? Find(string token) => _results.TryGetValue(token, out var r) ? r : null;
}
