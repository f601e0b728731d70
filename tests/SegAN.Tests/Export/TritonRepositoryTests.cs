using SegAN.Export;
using SegAN.Inference;
using SegAN.Training;

namespace SegAN.Tests.Export;

public sealed class TritonRepositoryTests
{
    [Fact]
    public void Write_LaysOutNameConfigAndVersionOne()
    {
        // Given a saved two-modality model
        using var folder = new TempFolder();
        var modelPath = ExportTestModels.SaveModel(folder.Path, Variant.S3_3C);
        var repository = Path.Combine(folder.Path, "triton");

        // When it is exported as a Triton repository only
        var result = OnnxExporter.Export(modelPath, null, new OnnxExportOptions(), repository, new TritonOptions("brats", 8));

        // Then DIR/brats/config.pbtxt and DIR/brats/1/model.onnx exist, and the model is a loadable SegAN export
        var modelFolder = Path.Combine(repository, "brats");
        Assert.Equal(modelFolder, result.TritonModelFolder);
        Assert.Equal(["1", "config.pbtxt"], Directory.EnumerateFileSystemEntries(modelFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["model.onnx"], Directory.EnumerateFileSystemEntries(Path.Combine(modelFolder, "1")).Select(Path.GetFileName));
        using var engine = OnnxSegmentationEngine.Open(Path.Combine(modelFolder, "1", "model.onnx"), threads: 1);
        Assert.Equal(["t1", "t2"], engine.Model.Modalities);
        Assert.Null(result.OnnxPath);
    }

    [Fact]
    public void Config_WithBatching_DeclaresFp32TensorsWithoutTheBatchAxis()
    {
        // Given a header for two modalities and batching up to 8
        using var model = ExportTestModels.Random(Variant.S3_3C, depth: 2);
        var header = ExportTestModels.Header(model);

        // When the config is written for a dynamic size
        var config = TritonRepository.Config(header, new TritonOptions("brats", 8));

        // Then it names the backend and the tensors; Triton adds the batch axis itself
        var lines = Lines(config);
        Assert.Contains("name: \"brats\"", lines);
        Assert.Contains("backend: \"onnxruntime\"", lines);
        Assert.Contains("max_batch_size: 8", lines);
        Assert.Contains("dynamic_batching { }", lines);
        Assert.Equal(["name: \"image\"", "name: \"regions\""], lines.Where(l => l.StartsWith("name: \"i", StringComparison.Ordinal) || l.StartsWith("name: \"r", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(l => l == "data_type: TYPE_FP32"));
        Assert.Equal(["dims: [ 2, -1, -1 ]", "dims: [ 3, -1, -1 ]"], lines.Where(l => l.StartsWith("dims:", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith('#') && l.Contains("t1, t2", StringComparison.Ordinal));
        AssertBalanced(config);
    }

    [Fact]
    public void Config_WithoutBatchingAndFixedSize_KeepsTheBatchAxisInDims()
    {
        using var model = ExportTestModels.Random(Variant.UNet, depth: 2);
        var config = TritonRepository.Config(ExportTestModels.Header(model), new TritonOptions("unet", 0), height: 32, width: 16);

        var lines = Lines(config);
        Assert.Contains("max_batch_size: 0", lines);
        Assert.DoesNotContain(lines, l => l.Contains("dynamic_batching", StringComparison.Ordinal));
        Assert.Equal(["dims: [ -1, 2, 32, 16 ]", "dims: [ -1, 3, 32, 16 ]"], lines.Where(l => l.StartsWith("dims:", StringComparison.Ordinal)));
        AssertBalanced(config);
    }

    [Theory]
    [InlineData("", 8, "Triton model name")]
    [InlineData("../up", 8, "Triton model name")]
    [InlineData("ok", -1, "--max-batch-size -1")]
    public void Options_Bad_AreRejected(string name, int maxBatch, string message)
    {
        var e = Assert.Throws<SegANException>(() => new TritonOptions(name, maxBatch).Validated());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static string[] Lines(string config) =>
        [.. config.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())];

    // Protobuf text format: brackets and braces outside comments and strings must pair up.
    private static void AssertBalanced(string config)
    {
        var depth = new Stack<char>();
        foreach (var line in config.Split('\n').Where(l => !l.TrimStart().StartsWith('#')))
        {
            foreach (var ch in line.Split('"').Where((_, i) => i % 2 == 0).SelectMany(s => s))
            {
                if (ch is '[' or '{')
                {
                    depth.Push(ch);
                }
                else if (ch is ']' or '}')
                {
                    Assert.Equal(ch == ']' ? '[' : '{', depth.Pop());
                }
            }
        }

        Assert.Empty(depth);
    }
}
