using SegAN.Export;
using SegAN.Inference;
using SegAN.Models;

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

    [SkippableTheory]
    [InlineData(8, null, null, "[2, -1, -1]")]
    [InlineData(0, 32, 16, "[-1, 2, 32, 16]")]
    public void Config_ParsesAsTritonModelConfig(int maxBatch, int? height, int? width, string inputDims)
    {
        // Given the config for a two-modality model
        using var folder = new TempFolder();
        using var model = ExportTestModels.Random(Variant.S3_3C, depth: 2);
        var path = folder.File(TritonRepository.ConfigFileName);
        File.WriteAllText(path, TritonRepository.Config(ExportTestModels.Header(model), new TritonOptions("brats", maxBatch), height, width));

        // When protobuf's text-format parser reads it as Triton's ModelConfig (the fields used, with the names
        // and types of Triton's model_config.proto), which rejects unknown fields and enum values
        var parsed = ExportTestModels.Python("google.protobuf", "python3-protobuf", TritonModelConfigParser, path).Trim();

        // Then it parses, with FP32 (11) tensors of the expected dims
        Assert.StartsWith($"brats onnxruntime {maxBatch} {(maxBatch > 0 ? "True" : "False")}", parsed, StringComparison.Ordinal);
        Assert.Contains($"('image', 11, {inputDims})", parsed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 8, "Triton model name")]
    [InlineData("../up", 8, "Triton model name")]
    [InlineData("ok", -1, "Triton max batch size -1 must be 0")]
    public void Options_Bad_AreRejected(string name, int maxBatch, string message)
    {
        var e = Assert.Throws<SegANException>(() => new TritonOptions(name, maxBatch).Validated());
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private const string TritonModelConfigParser = """
        import sys
        from google.protobuf import descriptor_pb2, descriptor_pool, text_format
        try:
            from google.protobuf.message_factory import GetMessageClass
        except ImportError:
            GetMessageClass = None
        from google.protobuf import message_factory

        F = descriptor_pb2.FieldDescriptorProto
        f = descriptor_pb2.FileDescriptorProto(name="model_config_subset.proto", package="inference", syntax="proto3")
        dt = f.enum_type.add(name="DataType")
        for i, n in enumerate(["TYPE_INVALID", "TYPE_BOOL", "TYPE_UINT8", "TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_INT8",
                               "TYPE_INT16", "TYPE_INT32", "TYPE_INT64", "TYPE_FP16", "TYPE_FP32", "TYPE_FP64", "TYPE_STRING", "TYPE_BF16"]):
            dt.value.add(name=n, number=i)
        def msg(name, fields):
            m = f.message_type.add(name=name)
            for fname, num, ftype, label, tname in fields:
                fd = m.field.add(name=fname, number=num, type=ftype, label=label)
                if tname:
                    fd.type_name = tname
        O, R = F.LABEL_OPTIONAL, F.LABEL_REPEATED
        msg("ModelInput", [("name", 1, F.TYPE_STRING, O, None), ("data_type", 2, F.TYPE_ENUM, O, ".inference.DataType"), ("dims", 4, F.TYPE_INT64, R, None)])
        msg("ModelOutput", [("name", 1, F.TYPE_STRING, O, None), ("data_type", 2, F.TYPE_ENUM, O, ".inference.DataType"), ("dims", 3, F.TYPE_INT64, R, None)])
        msg("ModelDynamicBatching", [("max_queue_delay_microseconds", 2, F.TYPE_UINT64, O, None)])
        msg("ModelConfig", [("name", 1, F.TYPE_STRING, O, None), ("platform", 2, F.TYPE_STRING, O, None), ("max_batch_size", 4, F.TYPE_INT32, O, None),
                            ("input", 5, F.TYPE_MESSAGE, R, ".inference.ModelInput"), ("output", 6, F.TYPE_MESSAGE, R, ".inference.ModelOutput"),
                            ("dynamic_batching", 11, F.TYPE_MESSAGE, O, ".inference.ModelDynamicBatching"), ("backend", 17, F.TYPE_STRING, O, None)])
        pool = descriptor_pool.DescriptorPool()
        pool.Add(f)
        desc = pool.FindMessageTypeByName("inference.ModelConfig")
        cls = GetMessageClass(desc) if GetMessageClass else message_factory.MessageFactory(pool).GetPrototype(desc)
        config = text_format.Parse(open(sys.argv[1]).read(), cls())
        print(config.name, config.backend, config.max_batch_size, config.HasField("dynamic_batching"),
              [(i.name, i.data_type, list(i.dims)) for i in config.input], [(o.name, o.data_type, list(o.dims)) for o in config.output])
        """;

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
