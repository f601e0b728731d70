using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SegAN.Server;

/// <summary>
/// The subset of MONAI Label's REST protocol that 3D Slicer's MONAI Label extension uses: server info, the datastore
/// (upload, download, list), active learning (next sample) and inference. Training, scoring and authentication are
/// not offered (404). Routes match with or without a trailing slash.
/// </summary>
internal static class MonaiLabelApi
{
    /// <summary>The active-learning strategies offered.</summary>
    public static IReadOnlyDictionary<string, string> Strategies { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["first"] = "The first unlabelled image by ID that this server has not handed out yet",
        ["random"] = "A random unlabelled image that this server has not handed out yet",
    };

    public static void Map(IEndpointRouteBuilder routes, ServerState state)
    {
        routes.MapGet("/info", context => Json(context, 200, Info(state)));
        routes.Map("/auth/{**rest}", _ => throw new ServerException(404, "this server has no authentication"));
        routes.Map("/train/{**rest}", _ => throw new ServerException(404, "this server does not train models"));
        routes.MapGet("/datastore", context => Json(context, 200, Datastore(state)));
        routes.MapPut("/datastore", context => Upload(context, state));
        routes.MapPut("/datastore/image", context => Upload(context, state));
        routes.MapGet("/datastore/image", context => Download(context, state));
        routes.MapPost("/activelearning/{strategy}", context => NextSample(context, state));
        routes.MapPost("/infer/{model}", context => Infer(context, state));
    }

    /// <summary>Writes <paramref name="body"/> as JSON with a Content-Length.</summary>
    public static Task Json(HttpContext context, int status, JsonNode body)
    {
        var bytes = Serialize(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes).AsTask();
    }

    private static byte[] Serialize(JsonNode body) => JsonSerializer.SerializeToUtf8Bytes(body, JsonDefaults.Relaxed);

    private static JsonObject Info(ServerState state)
    {
        var labels = new JsonObject();
        foreach (var (name, value) in SlicerLabels.All)
        {
            labels[name] = value;
        }

        var models = new JsonObject();
        foreach (var m in state.Models)
        {
            models[m.Model.Name] = new JsonObject
            {
                ["type"] = "segmentation",
                ["labels"] = labels.DeepClone(),
                ["dimension"] = 3,
                ["description"] = $"SegAN.NET {m.Info.Header.Architecture.Variant} brain tumour segmentation ({m.EngineName} engine) from {string.Join(", ", m.Modalities)}",
                ["config"] = new JsonObject(),
            };
        }

        var strategies = new JsonObject();
        foreach (var (name, description) in Strategies)
        {
            strategies[name] = new JsonObject { ["description"] = description };
        }

        var all = state.Store.All();
        return new JsonObject
        {
            ["name"] = "SegAN.NET",
            ["description"] = "SegAN.NET brain tumour segmentation (segan serve), speaking MONAI Label's protocol",
            ["version"] = typeof(MonaiLabelApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            ["labels"] = new JsonArray([.. SlicerLabels.All.Select(l => (JsonNode)l.Name)]),
            ["models"] = models,
            ["trainers"] = new JsonObject(),
            ["strategies"] = strategies,
            ["scoring"] = new JsonObject(),
            ["train_stats"] = new JsonObject(),
            ["datastore"] = new JsonObject { ["total"] = all.Count, ["completed"] = all.Count(i => i.Labelled) },
        };
    }

    private static JsonObject Datastore(ServerState state)
    {
        var all = state.Store.All();
        var objects = new JsonObject();
        foreach (var image in all)
        {
            objects[image.Id] = new JsonObject
            {
                ["image"] = new JsonObject { ["ext"] = Extension(image.Name), ["info"] = new JsonObject { ["name"] = image.Name } },
                ["labels"] = new JsonObject(),
            };
        }

        return new JsonObject { ["total"] = all.Count, ["completed"] = all.Count(i => i.Labelled), ["objects"] = objects };
    }

    private static async Task Upload(HttpContext context, ServerState state)
    {
        var id = ImageId.Require(context.Request.Query["image"], "image");
        var form = await RequestForm.Read(context.Request, state.Options.MaxUploadBytes, state.Store.UploadDirectory, context.RequestAborted).ConfigureAwait(false);
        try
        {
            var stored = state.Store.Store(id, form.TempFile!, form.Extension!, form.FileName!);
            await Json(context, 200, new JsonObject { ["image"] = stored.Id }).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(form.TempFile!);
        }
    }

    private static async Task Download(HttpContext context, ServerState state)
    {
        var image = state.Store.Find(ImageId.Require(context.Request.Query["image"], "image"));
        var bytes = await File.ReadAllBytesAsync(image.Path, context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{image.Name}\"";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task NextSample(HttpContext context, ServerState state)
    {
        var strategy = (string?)context.Request.RouteValues["strategy"] ?? string.Empty;
        if (!Strategies.ContainsKey(strategy))
        {
            throw new ServerException(404, $"strategy '{strategy}' not found; this server has {string.Join(", ", Strategies.Keys)}");
        }

        _ = await RequestForm.Read(context.Request, 1 << 20, null, context.RequestAborted).ConfigureAwait(false);
        var next = state.Store.Next(strategy);
        await Json(context, 200, next is null ? new JsonObject() : new JsonObject
        {
            ["id"] = next.Id,
            ["name"] = next.Name,
            ["path"] = next.Path,
        }).ConfigureAwait(false);
    }

    private static async Task Infer(HttpContext context, ServerState state)
    {
        var model = state.Model((string?)context.Request.RouteValues["model"]);
        var id = ImageId.Require(context.Request.Query["image"], "image");
        var output = context.Request.Query["output"].ToString();
        if (output is not ("" or "all" or "image" or "json"))
        {
            throw new ServerException(400, $"output '{output}' is not one of image, json, all");
        }

        _ = await RequestForm.Read(context.Request, 1 << 20, null, context.RequestAborted).ConfigureAwait(false);
        var files = state.Store.ForModel(id, model);
        var (result, cached) = await state.Inference.Segment(model, id, files).ConfigureAwait(false);
        var fileName = id + "_seg.nii.gz";
        var labelNames = new JsonObject();
        foreach (var (name, value) in SlicerLabels.All)
        {
            labelNames[name] = value;
        }

        var parameters = new JsonObject
        {
            ["model"] = model.Model.Name,
            ["image"] = id,
            ["label_names"] = labelNames,
            ["label_convention"] = "BraTS 2023: 1 necrosis / non-enhancing core, 2 edema, 3 enhancing tumour",
            ["cached"] = cached,
            ["latencies"] = new JsonObject
            {
                ["infer"] = Math.Round(result.Seconds, 3),
                ["total"] = Math.Round(result.Seconds, 3),
            },
        };
        switch (output)
        {
            case "json":
                await Json(context, 200, parameters).ConfigureAwait(false);
                break;
            case "image":
                context.Response.ContentType = "application/octet-stream";
                context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
                context.Response.ContentLength = result.LabelMap.Length;
                await context.Response.Body.WriteAsync(result.LabelMap, context.RequestAborted).ConfigureAwait(false);
                break;
            default:
                var (contentType, body) = MultipartReply.Build(Serialize(parameters), fileName, result.LabelMap);
                context.Response.ContentType = contentType;
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
                break;
        }
    }

    private static string Extension(string name) =>
        name.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? ".nii.gz" : Path.GetExtension(name).ToLower(CultureInfo.InvariantCulture);
}
