using SegAN.Compute;
using SegAN.Export;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Tests.Export;

namespace SegAN.Tests.Inference;

public sealed class EngineFactoryTests
{
    [Fact]
    public void Open_Auto_PicksTheEngineByFileKind_AndBothAgree()
    {
        // Given a saved U-Net model and its ONNX export
        using var folder = new TempFolder();
        var segan = ExportTestModels.SaveModel(folder.Path, Variant.UNet);
        var onnxPath = folder.File("model.onnx");
        OnnxExporter.Export(segan, onnxPath, new OnnxExportOptions());
        var images = ExportTestModels.RandomImages(2, 2, 16, 8, seed: 4);

        // When each is opened with --engine auto, and the model.segan also with --engine onnx
        using var torchEngine = EngineFactory.Open(segan, EngineKind.Auto, DeviceSpec.Cpu, threads: 1);
        using var onnxEngine = EngineFactory.Open(onnxPath, EngineKind.Auto, DeviceSpec.Auto, threads: 1);
        using var onnxFromSegan = EngineFactory.Open(segan, EngineKind.Onnx, DeviceSpec.Cpu, threads: 1);

        // Then model.segan runs on torch, .onnx on onnx, with the same metadata and the same regions
        Assert.Equal("torch", torchEngine.Name);
        Assert.Equal("onnx", onnxEngine.Name);
        Assert.Equal("onnx", onnxFromSegan.Name);
        Assert.Equal(torchEngine.Model.Header.Architecture, onnxEngine.Model.Header.Architecture);
        Assert.Equal(torchEngine.Model.Modalities, onnxEngine.Model.Modalities);
        var expected = torchEngine.PredictRegions(images, 2, 2, 16, 8);
        Assert.True(ExportTestModels.MaxAbsDifference(expected, onnxEngine.PredictRegions(images, 2, 2, 16, 8)) < 1e-4f);
        Assert.True(ExportTestModels.MaxAbsDifference(expected, onnxFromSegan.PredictRegions(images, 2, 2, 16, 8)) < 1e-4f);
    }

    [Fact]
    public void Open_TorchEngineWithOnnxFile_IsAnError()
    {
        var e = Assert.Throws<SegANException>(() => EngineFactory.Open("exported.onnx", EngineKind.Torch, DeviceSpec.Cpu, 0));
        Assert.Contains("exported.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("choose the onnx (or auto) engine", e.Message, StringComparison.Ordinal);
        Assert.Equal([Setting.Engine], e.Settings);
    }

    [Fact]
    public void Open_OnnxEngineOnCuda_IsAnError()
    {
        var e = Assert.Throws<SegANException>(() => EngineFactory.Open("exported.onnx", EngineKind.Onnx, DeviceSpec.Parse("cuda"), 0));
        Assert.Contains("CPU only", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto", EngineKind.Auto)]
    [InlineData("Torch", EngineKind.Torch)]
    [InlineData(" onnx ", EngineKind.Onnx)]
    public void ParseEngine_KnownNames(string text, EngineKind expected)
    {
        Assert.Equal(expected, EngineFactory.ParseEngine(text));
    }

    [Fact]
    public void ParseEngine_UnknownName_ListsTheChoices()
    {
        var e = Assert.Throws<SegANException>(() => EngineFactory.ParseEngine("tensorrt"));
        Assert.Contains("auto, torch, onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ModelSeganAndItsExport_GiveTheSameInfo()
    {
        using var folder = new TempFolder();
        var segan = ExportTestModels.SaveModel(folder.Path, Variant.S1_1C);
        var onnxPath = folder.File("m.onnx");
        OnnxExporter.Export(segan, onnxPath, new OnnxExportOptions());

        var a = SegmentationModelInfo.Read(segan);
        var b = SegmentationModelInfo.Read(onnxPath);

        Assert.Equal(ModelFileKind.Segan, a.Kind);
        Assert.Equal(ModelFileKind.Onnx, b.Kind);
        Assert.Equal(a.Header.Architecture, b.Header.Architecture);
        Assert.Equal(a.Modalities, b.Modalities);
        Assert.Equal(a.Header.LabelConvention, b.Header.LabelConvention);
        Assert.Equal(a.SizeMultiple, b.SizeMultiple);
    }
}
