using System.CommandLine;
using System.Globalization;
using SegAN.Data;
using SegAN.Inference;
using SegAN.Server;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan serve</c>: offers models to 3D Slicer (MONAI Label's protocol) until Ctrl-C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var models = CommonOptions.Required<string[]>("--model", "A model to offer: PATH (a model.segan or .onnx, named after its file, or its run folder for model.segan) or NAME=PATH. Repeat for several. Required.", "-m");
        var studies = CommonOptions.Optional<DirectoryInfo?>("--studies", "A dataset folder whose cases are offered by ID (case folder name; discovered as segan dataset does, with --preset/--modality). Default: none.");
        var uploads = CommonOptions.Optional<DirectoryInfo?>("--uploads", "Where uploaded images are stored. Default: STUDIES/.segan-uploads with --studies, else a new temporary folder (printed at start).");
        var host = CommonOptions.Defaulted<string>("--host", "127.0.0.1", "Address to listen on: an IP address or localhost. 0.0.0.0 exposes the server to the network (it has no authentication). Default: 127.0.0.1.");
        var port = CommonOptions.Defaulted<int>("--port", 8000, "TCP port; 0 picks a free one. Default: 8000.");
        var maxUpload = CommonOptions.Defaulted<string>("--max-upload", "1G", "Largest request body accepted, in bytes or with a K, M or G suffix (powers of 1024). Default: 1G.");
        var concurrency = CommonOptions.Defaulted<int>("--concurrency", 1, "Segmentations run at once (each uses --threads cores). Default: 1.");
        var queue = CommonOptions.Defaulted<int>("--queue", 32, "Segmentation requests that may wait for a free run; more are answered 503 with Retry-After. Default: 32.");
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var dataset = DatasetOptions.Create();
        var command = new Command("serve", "Serve models to 3D Slicer's MONAI Label extension (MONAI Label's REST protocol) and to a viewer page in the browser at /: segment studies cases by ID or uploaded volumes. See docs/slicer.md and docs/viewer.md.")
        {
            models, studies, uploads, host, port, maxUpload, concurrency, queue, device, threads,
        };
        dataset.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var served = (parse.GetValue(models) ?? []).Select(ServedModel.Parse).ToList();
            var studiesDir = parse.GetValue(studies);
            DatasetLayout? layout = null;
            if (studiesDir is not null)
            {
                if (!studiesDir.Exists)
                {
                    throw new SegANException($"--studies {studiesDir.FullName}: folder not found");
                }

                layout = StudiesLayout(parse, dataset, studiesDir, served);
            }

            var uploadDir = parse.GetValue(uploads)?.FullName
                ?? (studiesDir is not null ? Path.Combine(studiesDir.FullName, ".segan-uploads") : Directory.CreateTempSubdirectory("segan-uploads-").FullName);
            var options = new ServeOptions(
                served,
                uploadDir,
                studiesDir?.FullName,
                layout,
                parse.GetValue(host)!,
                parse.GetValue(port),
                parse.GetValue(device)!,
                parse.GetValue(threads),
                ParseSize(parse.GetValue(maxUpload)!),
                parse.GetValue(concurrency),
                parse.GetValue(queue)).Validate();

            var gate = new object();
            void Log(string line)
            {
                lock (gate)
                {
                    console.WriteLine(line);
                }
            }

            SegANServer.Run(options, Log, started =>
            {
                lock (gate)
                {
                    foreach (var m in served)
                    {
                        console.MarkupLineInterpolated($"model [bold]{m.Name}[/]: {m.Path}");
                    }

                    console.MarkupLineInterpolated($"{started.Images} image(s) offered{(started.SkippedStudies > 0 ? $" ({started.SkippedStudies} studies case(s) skipped: names that are not valid IDs)" : string.Empty)}; uploads in {started.UploadDirectory}; {started.ConcurrentInferences} segmentation(s) at once");
                    foreach (var url in started.Urls)
                    {
                        console.MarkupLineInterpolated($"Serving MONAI Label protocol at [bold]{url}/[/] (Ctrl-C stops)");
                        console.MarkupLineInterpolated($"Viewer page (segment in the browser) at [bold]{url}/[/]");
                    }
                }
            });
            console.MarkupLine("stopped");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// The studies' layout: --modality patterns when given, else the detected (or --preset) release's files for every
    /// modality any served model needs, in the first model's channel order.
    /// </summary>
    private static DatasetLayout StudiesLayout(ParseResult parse, DatasetOptions dataset, DirectoryInfo folder, IReadOnlyList<ServedModel> served)
    {
        if (parse.GetValue(dataset.Modality) is { Length: > 0 })
        {
            return dataset.Resolve(parse, folder);
        }

        var needed = new List<string>();
        foreach (var m in served)
        {
            foreach (var modality in SegmentationModelInfo.Read(m.Path).Modalities)
            {
                if (!needed.Contains(modality, StringComparer.OrdinalIgnoreCase))
                {
                    needed.Add(modality);
                }
            }
        }

        var given = parse.GetValue(dataset.Preset).Preset;
        if (given is null && NnUNetDataset.IsDataset(folder))
        {
            return NnUNetDataset.Read(folder).Layout(needed); // an nnU-Net studies folder: channels by name
        }

        var preset = given
            ?? DatasetPresets.Detect(folder) ?? throw new SegANException($"{folder.FullName}: no file looks like a BraTS release; give --preset or --modality NAME=GLOB");
        var layout = DatasetPresets.Layout(preset, needed);
        return parse.GetValue(dataset.Seg) is { } seg ? layout with { SegPattern = seg } : layout;
    }

    /// <summary>Parses 1048576, 512K, 100M or 2G (powers of 1024).</summary>
    internal static long ParseSize(string text)
    {
        var t = text.Trim();
        var factor = t.Length > 0 ? char.ToUpperInvariant(t[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            _ => 1L,
        } : 1L;
        var digits = factor == 1 ? t : t[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= long.MaxValue / factor
            ? n * factor
            : throw new SegANException($"--max-upload '{text}' is not a size (bytes, or a number with K, M or G)");
    }
}
