using SegAN.Compute;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;
using SegAN.Tests.Export;
using TorchSharp;

namespace SegAN.Tests.Inference;

public sealed class TorchSegmentationEngineTests
{
    [Fact]
    public void PredictRegions_EqualsTheSegmentorsForward_DespiteTheChannelsLastLayout()
    {
        // Given a saved S3-3C model and a batch of 2 two-modality 16x8 slices
        using var folder = new TempFolder();
        var path = ExportTestModels.SaveModel(folder.Path, Variant.S3_3C);
        var images = ExportTestModels.RandomImages(2, 2, 16, 8, seed: 5);
        using var loaded = ModelFile.Load(path);
        float[] expected;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            expected = loaded.Segmentor.forward(torch.tensor(images, [2, 2, 16, 8])).contiguous().data<float>().ToArray();
        }

        // When the torch engine predicts them (images stored channels last inside)
        using var engine = EngineFactory.Open(path, EngineKind.Torch, DeviceSpec.Cpu, threads: 1);
        var actual = engine.PredictRegions(images, 2, 2, 16, 8);

        // Then the regions are the plain NCHW forward's, in the same (n, 3, h, w) order
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(ExportTestModels.MaxAbsDifference(expected, actual) < 1e-5f);
    }

    [SkippableFact]
    public void PredictRegions_InBFloat16_StaysWithinBFloat16RoundingOfFloat32()
    {
        Skip.IfNot(CpuFeatures.HasAvx512Bf16, "bfloat16 inference is offered only on CPUs with AVX512-BF16");

        // Given the same model opened in float32 and in bfloat16
        using var folder = new TempFolder();
        var path = ExportTestModels.SaveModel(folder.Path, Variant.S3_3C);
        var images = ExportTestModels.RandomImages(2, 2, 16, 8, seed: 6);
        using var f32 = EngineFactory.Open(path, EngineKind.Torch, DeviceSpec.Cpu, threads: 1);
        using var bf16 = EngineFactory.Open(path, EngineKind.Torch, DeviceSpec.Cpu, threads: 1, bfloat16: true);

        // When both predict the batch
        var a = f32.PredictRegions(images, 2, 2, 16, 8);
        var b = bf16.PredictRegions(images, 2, 2, 16, 8);

        // Then the bfloat16 engine says so, its output is float32 of the same shape, and probabilities differ by
        // bfloat16 rounding only (8 significant bits: well under 0.02 after a few layers), yet not by nothing
        Assert.True(((TorchSegmentationEngine)bf16).BFloat16);
        Assert.Equal(a.Length, b.Length);
        var difference = ExportTestModels.MaxAbsDifference(a, b);
        Assert.InRange(difference, 1e-7f, 0.02f);
    }

    [Fact]
    public void Open_BFloat16OnTheOnnxEngine_IsAnError()
    {
        var e = Assert.Throws<SegANException>(() => EngineFactory.Open("model.segan", EngineKind.Onnx, DeviceSpec.Cpu, 0, bfloat16: true));
        Assert.Contains("torch engine only", e.Message, StringComparison.Ordinal);
    }
}
