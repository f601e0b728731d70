using System.CommandLine;
using System.Globalization;
using SegAN.Export;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan export</c>: a model.segan as an ONNX file and/or a Triton Inference Server model repository.</summary>
internal static class ExportCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var model = CommonOptions.Required<string>("--model", "The model.segan to export. Required.", "-m");
        var output = CommonOptions.Optional<string?>("--output", "The .onnx file to write. Default: none (then --triton is required).", "-o");
        var opset = CommonOptions.Defaulted<int>("--opset", OnnxExporter.DefaultOpset, $"ONNX opset, {OnnxExporter.MinOpset} to {OnnxExporter.MaxOpset}. Default: {OnnxExporter.DefaultOpset}.");
        var height = CommonOptions.Defaulted<int>("--height", 0, "Fix the input height (a multiple of the model's size multiple); 0 keeps it dynamic. Default: 0.");
        var width = CommonOptions.Defaulted<int>("--width", 0, "Fix the input width; 0 keeps it dynamic. Default: 0.");
        var triton = CommonOptions.Optional<string?>("--triton", "Also write a Triton Inference Server model repository here (NAME/config.pbtxt, NAME/1/model.onnx). Default: none.");
        var tritonName = CommonOptions.Defaulted<string>("--triton-name", "segan", "Model name (and folder) in the Triton repository. Default: segan.");
        var maxBatch = CommonOptions.Defaulted<int>("--max-batch-size", 32, "Triton's max_batch_size; 0 disables Triton's batching. Default: 32.");
        var command = new Command("export", "Export a model.segan to ONNX (image (N,C,H,W) -> regions (N,3,H,W) WT/TC/ET probabilities, with the model's metadata) and optionally a Triton model repository.")
        {
            model, output, opset, height, width, triton, tritonName, maxBatch,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var h = parse.GetValue(height);
            var w = parse.GetValue(width);
            if (parse.GetValue(output) is { } onnxPath)
            {
                Imaging.OutputPath.CheckFile(onnxPath, "--output");
            }

            if (parse.GetValue(triton) is { } tritonPath)
            {
                Imaging.OutputPath.CheckFolder(tritonPath, "--triton");
            }

            var options = new OnnxExportOptions(parse.GetValue(opset), h == 0 ? null : h, w == 0 ? null : w);
            var result = OnnxExporter.Export(
                parse.GetValue(model)!,
                parse.GetValue(output),
                options,
                parse.GetValue(triton),
                new TritonOptions(parse.GetValue(tritonName)!, parse.GetValue(maxBatch)));
            // "F1 'KiB'" is a custom format, not F1 plus a suffix: it printed "F1 KiB".
            var size = result.Bytes >= 1 << 20
                ? string.Create(CultureInfo.InvariantCulture, $"{result.Bytes / 1024.0 / 1024.0:F1} MiB")
                : string.Create(CultureInfo.InvariantCulture, $"{result.Bytes / 1024.0:F1} KiB");
            var header = result.Header;
            console.MarkupLineInterpolated($"exported [bold]{header.Architecture.ToString()}[/] (modalities {string.Join(", ", header.Modalities)}), opset {result.Opset}, {size}");
            if (result.OnnxPath is not null)
            {
                console.MarkupLineInterpolated($"  onnx:   {result.OnnxPath}");
            }

            if (result.TritonModelFolder is not null)
            {
                console.MarkupLineInterpolated($"  triton: {result.TritonModelFolder} (config.pbtxt, 1/model.onnx)");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
