using System.Reflection;
using System.Reflection.Emit;
using Google.Protobuf;
using SegAN.Export;
using SegAN.Export.Onnx;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Tests.Export;

namespace SegAN.Tests.Inference;

public sealed class OnnxSegmentationEngineTests
{
    [Fact]
    public void Open_ExportedFile_ReadsMetadataAndPredictsRegionsShape()
    {
        // Given an exported S3-3C model file
        using var folder = new TempFolder();
        using var model = ExportTestModels.Random(Variant.S3_3C, depth: 2);
        var path = folder.File("m.onnx");
        OnnxExporter.Export(model, ExportTestModels.Header(model), path, new OnnxExportOptions());

        // When it is opened and run on two 8x8 slices
        using var engine = OnnxSegmentationEngine.Open(path, threads: 1);
        var regions = engine.PredictRegions(ExportTestModels.RandomImages(2, 2, 8, 8, seed: 1), 2, 2, 8, 8);

        // Then the metadata comes from the file and the output is (2, 3, 8, 8) probabilities
        Assert.Equal("onnx", engine.Name);
        Assert.Equal(["t1", "t2"], engine.Model.Modalities);
        Assert.Equal(8, engine.Model.SizeMultiple);
        Assert.Equal(2 * 3 * 8 * 8, regions.Length);
        Assert.All(regions, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void Open_ForeignOnnxModel_IsRejectedNamingTheFile()
    {
        // Given a valid ONNX model that is not a SegAN export (an Identity graph, no SegAN metadata)
        using var folder = new TempFolder();
        var path = folder.File("foreign.onnx");
        File.WriteAllBytes(path, IdentityModel().ToByteArray());

        // When it is opened, then the error names the file and says what is missing
        var e = Assert.Throws<SegANException>(() => OnnxSegmentationEngine.Open(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a SegAN.NET ONNX model", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a SegAN.NET ONNX model", Assert.Throws<SegANException>(() => SegmentationModelInfo.Read(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GarbageFile_IsRejectedNamingTheFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("garbage.onnx");
        File.WriteAllBytes(path, [0xff, 0xff, 0xff, 0x01, 0x02, 0x03]);

        var e = Assert.Throws<SegANException>(() => OnnxSegmentationEngine.Open(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        var read = Assert.Throws<SegANException>(() => SegmentationModelInfo.Read(path));
        Assert.Contains(path, read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingFile_IsRejectedNamingTheFile()
    {
        var e = Assert.Throws<SegANException>(() => OnnxSegmentationEngine.Open("/nonexistent/model.onnx"));
        Assert.Contains("/nonexistent/model.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MetadataDisagreesWithGraphInputChannels_IsRejected()
    {
        // Given an export whose header claims three modalities while the graph takes two channels
        using var model = ExportTestModels.Random(Variant.S3_3C, depth: 2);
        var header = ExportTestModels.Header(model);
        var proto = OnnxExporter.ToModel(model, header, new OnnxExportOptions());
        var lying = header with { Architecture = header.Architecture with { InChannels = 3 }, Modalities = ["t1", "t2", "flair"] };
        proto.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Header).Value = System.Text.Json.JsonSerializer.Serialize(lying, JsonDefaults.Compact);

        // When it is opened, then the mismatch is named
        var e = Assert.Throws<SegANException>(() => OnnxSegmentationEngine.FromBytes(proto.ToByteArray(), "lying.onnx"));
        Assert.Contains("lying.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("(N, 3, H, W)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NewerMetadataLayout_AsksForAnUpdate()
    {
        using var model = ExportTestModels.Random(Variant.S3_3C, depth: 2);
        var proto = OnnxExporter.ToModel(model, ExportTestModels.Header(model), new OnnxExportOptions());
        proto.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.FormatVersion).Value = "99";

        var e = Assert.Throws<SegANException>(() => OnnxSegmentationEngine.FromBytes(proto.ToByteArray(), "future.onnx"));
        Assert.Contains("update SegAN.NET", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 8, 8, "takes 2 channels")]
    [InlineData(2, 12, 8, "multiple of 8")]
    public void PredictRegions_InputThatDoesNotFit_IsRejected(int c, int h, int w, string message)
    {
        using var model = ExportTestModels.Random(Variant.S3_3C, depth: 2);
        var bytes = OnnxExporter.ToBytes(model, ExportTestModels.Header(model), new OnnxExportOptions());
        using var engine = OnnxSegmentationEngine.FromBytes(bytes, "m.onnx", threads: 1);

        var e = Assert.Throws<SegANException>(() => engine.PredictRegions(new float[c * h * w], 1, c, h, w));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(typeof(OnnxSegmentationEngine), nameof(OnnxSegmentationEngine.Open))]
    [InlineData(typeof(OnnxSegmentationEngine), nameof(OnnxSegmentationEngine.PredictRegions))]
    [InlineData(typeof(SegmentationModelInfo), nameof(SegmentationModelInfo.Read))]
    [InlineData(typeof(EngineFactory), nameof(EngineFactory.Open))]
    public void OnnxPath_NeverReachesTorchSharp(Type type, string method)
    {
        // Given the methods a .onnx prediction calls, followed through SegAN's own code (the TorchSharp branches of
        // EngineFactory.Open, taken only for a model.segan, are the allowed exceptions)
        var allowed = new HashSet<string> { "EngineFactory.OpenTorch", "EngineFactory.OpenOnnxFromSegan" };
        var start = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance).Where(m => m.Name == method);

        // When every member they reference is resolved, then none belongs to TorchSharp
        var reached = TorchSharpReferences(start, allowed);
        Assert.True(reached.Count == 0, "TorchSharp reached via: " + string.Join("; ", reached));
    }

    [Fact]
    public void TorchSharpReferences_AreFound_OnTheTorchPaths()
    {
        // Given the walk above, started from the TorchSharp engine and from EngineFactory.Open with no exceptions
        var torchEngine = typeof(TorchSegmentationEngine).GetMethod(nameof(TorchSegmentationEngine.PredictRegions))!;
        var factory = typeof(EngineFactory).GetMethod(nameof(EngineFactory.Open))!;

        // Then it reports TorchSharp members: the check above can fail
        Assert.Contains(TorchSharpReferences([torchEngine], []), r => r.Contains("torch.", StringComparison.Ordinal) || r.Contains("Tensor", StringComparison.Ordinal));
        Assert.Contains(TorchSharpReferences([factory], []), r => r.Contains("OpenTorch", StringComparison.Ordinal));
    }

    /// <summary>Walks IL from <paramref name="roots"/> through methods of the SegAN assembly; lists TorchSharp members reached.</summary>
    private static List<string> TorchSharpReferences(IEnumerable<MethodBase> roots, HashSet<string> allowed)
    {
        var segan = typeof(OnnxExporter).Assembly;
        var torch = typeof(TorchSharp.torch).Assembly;
        var found = new List<string>();
        var seen = new HashSet<MethodBase>();
        var stack = new Stack<(MethodBase Method, string Path)>(roots.Select(r => ((MethodBase)r, $"{r.DeclaringType!.Name}.{r.Name}")));
        bool IsTorch(Type? t) => t is not null && (t.Assembly == torch || (t.IsGenericType && t.GetGenericArguments().Any(IsTorch)) || (t.HasElementType && IsTorch(t.GetElementType())));
        while (stack.Count > 0)
        {
            var (method, path) = stack.Pop();
            if (!seen.Add(method) || allowed.Contains($"{method.DeclaringType?.Name}.{method.Name}"))
            {
                continue;
            }

            var body = method.GetMethodBody();
            if (body is null)
            {
                continue;
            }

            if (body.LocalVariables.Any(l => IsTorch(l.LocalType)))
            {
                found.Add($"{path} (a local)");
            }

            foreach (var member in Tokens(method, body.GetILAsByteArray()!))
            {
                var owner = member switch
                {
                    FieldInfo f when IsTorch(f.FieldType) => f.FieldType,
                    Type t => t,
                    _ => member.DeclaringType,
                };
                if (IsTorch(owner))
                {
                    found.Add($"{path} -> {owner!.Name}.{member.Name}");
                }
                else if (member is MethodBase callee && callee.DeclaringType?.Assembly == segan)
                {
                    stack.Push((callee, $"{path} -> {callee.DeclaringType.Name}.{callee.Name}"));
                }
            }
        }

        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The members referenced by field, method, type and token operands of an IL stream.</summary>
    private static IEnumerable<MemberInfo> Tokens(MethodBase method, byte[] il)
    {
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            short value = il[i++];
            if (value == 0xfe)
            {
                value = unchecked((short)(0xfe00 | il[i++]));
            }

            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    MemberInfo? member;
                    try
                    {
                        member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                    }
                    catch (ArgumentException)
                    {
                        member = null; // a generic context the walk does not track; its code is SegAN's own
                    }

                    if (member is not null)
                    {
                        yield return member;
                    }

                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }

    private static ModelProto IdentityModel()
    {
        var graph = new GraphProto { Name = "identity" };
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "y" } });
        static ValueInfoProto Value(string name) => new()
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = 4 } } },
                },
            },
        };
        graph.Input.Add(Value("x"));
        graph.Output.Add(Value("y"));
        var model = new ModelProto { IrVersion = 8, ProducerName = "test", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model;
    }
}
