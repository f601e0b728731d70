using Google.Protobuf;
using SegAN.Export;
using SegAN.Export.Onnx;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;
using TorchSharp;
using Xunit.Abstractions;

namespace SegAN.Tests.Export;

public sealed class OnnxExporterTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(ExportTestModels.AllVariants), MemberType = typeof(ExportTestModels))]
    public void Export_OnnxRuntimeMatchesTorchSharp_ForEveryVariant(Variant variant)
    {
        // Given a small random segmentor of the variant (depth 4, width 4) and random images
        using var model = ExportTestModels.Random(variant);
        var header = ExportTestModels.Header(model);
        var images = ExportTestModels.RandomImages(2, 2, 32, 16, seed: 11);

        // When it is exported and run by ONNX Runtime and by TorchSharp
        var bytes = OnnxExporter.ToBytes(model, header, new OnnxExportOptions());
        using var onnx = OnnxSegmentationEngine.FromBytes(bytes, "test.onnx", threads: 1);
        using var torchEngine = new TorchSegmentationEngine(model, new SegmentationModelInfo("test.segan", ModelFileKind.Segan, header), torch.CPU, ownsModel: false);
        var expected = torchEngine.PredictRegions(images, 2, 2, 32, 16);
        var actual = onnx.PredictRegions(images, 2, 2, 32, 16);

        // Then the region probabilities agree to 1e-4, over a wide range of probabilities
        var diff = ExportTestModels.MaxAbsDifference(expected, actual);
        var mean = expected.Average();
        var spread = Math.Sqrt(expected.Average(p => (p - mean) * (p - mean)));
        output.WriteLine($"{variant.CliName()}: max abs difference {diff:E2}; probabilities {expected.Min():F3}..{expected.Max():F3}, sd {spread:F3}");
        Assert.Equal(2 * 3 * 32 * 16, actual.Length);
        Assert.True(spread > 0.1, $"probabilities barely vary (sd {spread}): the comparison would prove little");
        Assert.True(diff < 1e-4f, $"max abs difference {diff}");
    }

    [Theory]
    [InlineData(OnnxExporter.MinOpset)]
    [InlineData(OnnxExporter.DefaultOpset)]
    [InlineData(OnnxExporter.MaxOpset)]
    public void Export_EveryOpsetInRange_RunsAndMatchesTorchSharp(int opset)
    {
        // Given a depth-2 U-Net segmentor
        using var model = ExportTestModels.Random(Variant.UNet, depth: 2);
        var header = ExportTestModels.Header(model);
        var images = ExportTestModels.RandomImages(1, 2, 16, 16, seed: 5);

        // When it is exported with the opset
        var proto = OnnxExporter.ToModel(model, header, new OnnxExportOptions(opset));
        using var onnx = OnnxSegmentationEngine.FromBytes(proto.ToByteArray(), "test.onnx", threads: 1);
        using var torchEngine = new TorchSegmentationEngine(model, new SegmentationModelInfo("t", ModelFileKind.Segan, header), torch.CPU, ownsModel: false);

        // Then the file declares it with the matching IR version, and ONNX Runtime agrees with TorchSharp
        Assert.Equal(opset, proto.OpsetImport.Single().Version);
        Assert.Equal(OnnxExporter.IrVersionFor(opset), proto.IrVersion);
        var diff = ExportTestModels.MaxAbsDifference(torchEngine.PredictRegions(images, 1, 2, 16, 16), onnx.PredictRegions(images, 1, 2, 16, 16));
        Assert.True(diff < 1e-4f, $"max abs difference {diff}");
    }

    [Theory]
    [InlineData(13, 7)]
    [InlineData(14, 7)]
    [InlineData(15, 8)]
    [InlineData(17, 8)]
    [InlineData(18, 8)]
    [InlineData(19, 9)]
    [InlineData(20, 9)]
    [InlineData(21, 10)]
    public void IrVersionFor_FollowsOnnxReleaseTable(int opset, long ir)
    {
        Assert.Equal(ir, OnnxExporter.IrVersionFor(opset));
    }

    [Fact]
    public void Export_Graph_HasNamedIoDynamicBatchAndFoldedNorms()
    {
        // Given an S3-3C segmentor of depth 2
        using var model = ExportTestModels.Random(Variant.S3_3C, depth: 2);

        // When it is exported with a dynamic size
        var graph = OnnxExporter.ToModel(model, ExportTestModels.Header(model), new OnnxExportOptions()).Graph;

        // Then: input image (batch, 2, height, width), output regions (batch, 3, height, width)
        var input = graph.Input.Single();
        var outputValue = graph.Output.Single();
        Assert.Equal("image", input.Name);
        Assert.Equal("regions", outputValue.Name);
        Assert.Equal(["batch", "2", "height", "width"], Dims(input));
        Assert.Equal(["batch", "3", "height", "width"], Dims(outputValue));

        // and 2 down + 2 up convolutions, no BatchNormalization node (folded), bilinear half-pixel resizes
        var ops = graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(4, ops.Count(o => o == "Conv"));
        Assert.DoesNotContain("BatchNormalization", ops);
        Assert.Equal(2, ops.Count(o => o == "Resize"));
        Assert.Equal(1, ops.Count(o => o == "Concat"));
        Assert.Equal("Sigmoid", graph.Node.Last().OpType);
        var resize = graph.Node.First(n => n.OpType == "Resize");
        Assert.Equal("linear", resize.Attribute.Single(a => a.Name == "mode").S.ToStringUtf8());
        Assert.Equal("half_pixel", resize.Attribute.Single(a => a.Name == "coordinate_transformation_mode").S.ToStringUtf8());

        // and every node input is the graph input, an initializer, an empty optional input or an earlier output
        var known = new HashSet<string>(graph.Initializer.Select(i => i.Name)) { "image", string.Empty };
        foreach (var node in graph.Node)
        {
            Assert.All(node.Input, i => Assert.Contains(i, known));
            known.UnionWith(node.Output);
        }
    }

    [Fact]
    public void Export_FixedSize_FixesInputAndOutputDims()
    {
        // Given a depth-2 segmentor exported for 32x16 slices
        using var model = ExportTestModels.Random(Variant.S3_3C, depth: 2);
        var proto = OnnxExporter.ToModel(model, ExportTestModels.Header(model), new OnnxExportOptions(Height: 32, Width: 16));

        // Then H and W are fixed, the batch stays dynamic
        Assert.Equal(["batch", "2", "32", "16"], Dims(proto.Graph.Input.Single()));
        Assert.Equal(["batch", "3", "32", "16"], Dims(proto.Graph.Output.Single()));

        // And the ONNX engine refuses another size with a clear error
        using var engine = OnnxSegmentationEngine.FromBytes(proto.ToByteArray(), "fixed.onnx", threads: 1);
        var e = Assert.Throws<SegANException>(() => engine.PredictRegions(new float[2 * 16 * 16], 1, 2, 16, 16));
        Assert.Contains("32x16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_Metadata_CarriesTheModelHeader()
    {
        // Given a saved model.segan
        using var folder = new TempFolder();
        var modelPath = ExportTestModels.SaveModel(folder.Path, Variant.S3_1C);
        var onnxPath = folder.File("model.onnx");

        // When it is exported through the file API
        var result = OnnxExporter.Export(modelPath, onnxPath, new OnnxExportOptions());

        // Then the .onnx alone gives back the same header: architecture, modalities, labels, preprocessing
        var expected = ModelFile.ReadHeader(modelPath);
        var info = SegmentationModelInfo.Read(onnxPath);
        Assert.Equal(ModelFileKind.Onnx, info.Kind);
        Assert.Equal(expected.Architecture, info.Header.Architecture);
        Assert.Equal(expected.Modalities, info.Modalities);
        Assert.Equal(expected.LabelConvention, info.Header.LabelConvention);
        Assert.True(System.Text.Json.JsonElement.DeepEquals(expected.Preprocessing!.Value, info.Header.Preprocessing!.Value));
        Assert.Equal(expected.Step, info.Header.Step);
        Assert.Equal(expected.Created, info.Header.Created);
        Assert.Equal(new FileInfo(onnxPath).Length, result.Bytes);

        // And the plain keys other tools read are there
        var props = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath)).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("segan-onnx", props["segan.format"]);
        Assert.Equal("s3-1c", props["segan.variant"]);
        Assert.Equal("[\"t1\",\"t2\"]", props["segan.modalities"]);
        Assert.Equal("brats-2017", props["segan.label_convention"]);
        Assert.Equal("WT,TC,ET", props["segan.regions"]);
        Assert.Equal("8", props["segan.size_multiple"]);
    }

    [Theory]
    [InlineData(12, null, null, "opset 12 is not supported")]
    [InlineData(22, null, null, "opset 22 is not supported")]
    [InlineData(17, 32, null, "both a fixed height and width")]
    [InlineData(17, 32, 20, "multiples of 8")]
    public void Options_OutOfRange_AreRejected(int opset, int? height, int? width, string message)
    {
        var e = Assert.Throws<SegANException>(() => new OnnxExportOptions(opset, height, width).Validated(8));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_NoDestination_IsAnError()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<SegANException>(() => OnnxExporter.Export(folder.File("model.segan"), null, new OnnxExportOptions()));
        Assert.Contains("give an ONNX file to write, a Triton repository, or both", e.Message, StringComparison.Ordinal);
        Assert.Equal([Setting.OnnxFile, Setting.TritonRepository], e.Settings);
    }

    [SkippableFact]
    public void Export_EveryVariant_PassesOnnxFullCheck()
    {
        // Given every variant exported to a file (depth 2, width 4; opsets 13 and the default)
        using var folder = new TempFolder();
        var files = new List<string>();
        foreach (var variant in VariantExtensions.All)
        {
            using var model = ExportTestModels.Random(variant, depth: 2);
            foreach (var opset in new[] { OnnxExporter.MinOpset, OnnxExporter.DefaultOpset })
            {
                var path = folder.File($"{variant.CliName()}-{opset}.onnx");
                OnnxExporter.Export(model, ExportTestModels.Header(model), path, new OnnxExportOptions(opset));
                files.Add(path);
            }
        }

        // When the onnx package's checker runs with full shape inference on each
        const string script = """
            import sys, onnx
            for p in sys.argv[1:]:
                m = onnx.load(p)
                onnx.checker.check_model(m, full_check=True)
                inferred = onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
                out = inferred.graph.output[0].type.tensor_type.shape.dim
                print(p.rsplit('/', 1)[-1], m.ir_version, [d.dim_param or d.dim_value for d in out])
            """;
        var report = ExportTestModels.PythonOnnx(script, [.. files]);
        output.WriteLine(report);

        // Then every file passes and keeps (batch, 3, height, width) outputs
        var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Count, lines.Length);
        Assert.All(lines, l => Assert.EndsWith("['batch', 3, 'height', 'width']", l, StringComparison.Ordinal));
    }

    private static string[] Dims(ValueInfoProto value) =>
        [.. value.Type.TensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
