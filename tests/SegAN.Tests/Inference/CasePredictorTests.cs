using SegAN.Data;
using SegAN.Imaging;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;
using SegAN.Tests.Imaging;

namespace SegAN.Tests.Inference;

/// <summary>An engine that answers fixed region probabilities (WT, TC, ET) for every pixel, to check restacking and labels.</summary>
internal sealed class ConstantEngine(SegmentationModelInfo info, float wt, float tc, float et) : ISegmentationEngine
{
    public int Calls { get; private set; }

    public string Name => "constant";

    public SegmentationModelInfo Model { get; } = info;

    public int LastHeight { get; private set; }

    public int LastWidth { get; private set; }

    public float[] PredictRegions(float[] images, int n, int c, int h, int w)
    {
        Calls++;
        (LastHeight, LastWidth) = (h, w);
        var output = new float[n * 3 * h * w];
        var plane = h * w;
        for (var i = 0; i < n; i++)
        {
            Array.Fill(output, wt, ((i * 3) + 0) * plane, plane);
            Array.Fill(output, tc, ((i * 3) + 1) * plane, plane);
            Array.Fill(output, et, ((i * 3) + 2) * plane, plane);
        }

        return output;
    }

    public void Dispose()
    {
    }
}

public sealed class CasePredictorTests : IDisposable
{
    private static readonly string[] Modalities = ["T1c", "T2", "FLAIR"];
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-predict-");

    public void Dispose() => _root.Delete(recursive: true);

    private static readonly InferenceRecipe SmallRecipe = new(new PreprocessOptions(CropX: 40, CropY: 40, CropZ: 32), SliceSize: 32, LabelConvention.Brats2021);

    private IReadOnlyList<CaseFiles> Phantoms(int count = 1)
    {
        PhantomGenerator.WriteDataset(new DirectoryInfo(Path.Combine(_root.FullName, "data")), count, new PhantomOptions(Size: 48, Seed: 5));
        return DatasetDiscovery.Discover(new DirectoryInfo(Path.Combine(_root.FullName, "data")), DatasetPresets.Layout(DatasetPreset.Brats2021, Modalities));
    }

    private static SegmentationModelInfo Info(string path = "test.segan") => new(
        path,
        ModelFileKind.Segan,
        new ModelHeader(1, new SegANArchitecture(Variant.S3_3C, 3, Depth: 2, BaseWidth: 4), Modalities, "brats2021", SmallRecipe.ToPreprocessingJson(), 0, null, DateTimeOffset.UnixEpoch));

    [Fact]
    public void Segment_RestoresIntoTheInputGeometry_WithTheConventionsLabels_CentreWindow()
    {
        // Given a phantom case, an engine that says "tumour core, not enhancing" everywhere, and the paper's window
        var files = Phantoms()[0];
        using var engine = new ConstantEngine(Info(), 0.9f, 0.8f, 0.1f);
        var predictor = new CasePredictor(engine, SmallRecipe, new PredictOptions(BatchSize: 5, Window: SliceWindow.Centre));

        // When the case is segmented
        var result = predictor.Segment(files);
        var input = ImageFile.Read(files.ModalityFiles[0]);

        // Then the label map has the input's shape and affine
        Assert.Equal(input.Geometry.Shape, result.Labels.Geometry.Shape);
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                Assert.Equal(input.Geometry.Affine[r, c], result.Labels.Geometry.Affine[r, c], 9);
            }
        }

        // And exactly the voxels with signal in the centred slice crops of the prepared grid's brain slices are
        // labelled 1 (TC minus ET): the air around the head stays 0 although the engine said tumour there too
        var prepared = Preprocessor.Prepare(CaseLoader.Load(files with { SegFile = null }), SmallRecipe.Preprocess, LabelConvention.Brats2021);
        var foreground = prepared.Foreground();
        var air = 0;
        var expected = new float[prepared.Depth * prepared.SliceSize];
        var offset = SliceCrop.CentreOffset(prepared.Width, SmallRecipe.SliceSize);
        var brainSlices = 0;
        for (var z = 0; z < prepared.Depth; z++)
        {
            if (!prepared.SliceHasBrain[z])
            {
                continue;
            }

            brainSlices++;
            for (var y = offset; y < offset + SmallRecipe.SliceSize; y++)
            {
                for (var x = offset; x < offset + SmallRecipe.SliceSize; x++)
                {
                    var i = (z * prepared.SliceSize) + (y * prepared.Width) + x;
                    expected[i] = foreground[i] ? 1 : 0;
                    air += foreground[i] ? 0 : 1;
                }
            }
        }

        Assert.True(air > 0, "the crops should include air for this test to check the mask");
        Assert.Equal(prepared.Restore(expected).Data, result.Labels.Data);
        Assert.Equal((brainSlices + 4) / 5, engine.Calls);
    }

    [Fact]
    public void Segment_SegmentsTheWholePaddedSlice_ByDefault()
    {
        // Given a phantom case whose head fills a 44x44 prepared grid beyond the model's 32x32 slice size, and an
        // engine that says "tumour core, not enhancing" everywhere and records the shapes it is given
        var files = Phantoms()[0];
        using var engine = new ConstantEngine(Info(), 0.9f, 0.8f, 0.1f);
        var recipe = SmallRecipe with { Preprocess = new PreprocessOptions(CropX: 44, CropY: 44, CropZ: 32) };
        var predictor = new CasePredictor(engine, recipe, new PredictOptions(BatchSize: 5));

        // When the case is segmented with the default window
        var result = predictor.Segment(files);

        // Then the network saw whole slices zero-padded to its size multiple (44 -> 48 for 2^3) and every voxel with
        // signal in every brain slice is labelled 1, up to the grid's edge
        Assert.Equal((48, 48), (engine.LastHeight, engine.LastWidth));
        var prepared = Preprocessor.Prepare(CaseLoader.Load(files with { SegFile = null }), recipe.Preprocess, LabelConvention.Brats2021);
        var foreground = prepared.Foreground();
        var expected = new float[prepared.Depth * prepared.SliceSize];
        var outsideCentre = 0;
        var offset = SliceCrop.CentreOffset(prepared.Width, SmallRecipe.SliceSize);
        for (var z = 0; z < prepared.Depth; z++)
        {
            for (var i = 0; prepared.SliceHasBrain[z] && i < prepared.SliceSize; i++)
            {
                expected[(z * prepared.SliceSize) + i] = foreground[(z * prepared.SliceSize) + i] ? 1 : 0;
                int y = i / prepared.Width, x = i % prepared.Width;
                var inCentre = y >= offset && y < offset + SmallRecipe.SliceSize && x >= offset && x < offset + SmallRecipe.SliceSize;
                outsideCentre += foreground[(z * prepared.SliceSize) + i] && !inCentre ? 1 : 0;
            }
        }

        Assert.True(outsideCentre > 0, "the head should reach beyond the centred crop for this test to mean anything");
        Assert.Equal(prepared.Restore(expected).Data, result.Labels.Data);
    }

    [Theory]
    [InlineData(40, 16, 48)]
    [InlineData(180, 16, 192)]
    [InlineData(240, 16, 240)]
    [InlineData(1, 8, 8)]
    public void PaddedSide_RoundsUpToTheMultiple(int side, int multiple, int expected) =>
        Assert.Equal(expected, SliceCrop.PaddedSide(side, multiple));

    [Theory]
    [InlineData(LabelConvention.Brats2021, 4f)]
    [InlineData(LabelConvention.Brats2023, 3f)]
    [InlineData(LabelConvention.Brats2015, 4f)]
    public void Segment_WritesEnhancingTumourWithTheConventionsLabel(LabelConvention labels, float enhancing)
    {
        var files = Phantoms()[0];
        using var engine = new ConstantEngine(Info(), 0.9f, 0.9f, 0.9f);
        var predictor = new CasePredictor(engine, SmallRecipe with { Labels = labels }, new PredictOptions());

        var values = predictor.Segment(files).Labels.Data.Distinct().Order().ToArray();

        Assert.Equal([0f, enhancing], values);
    }

    [Fact]
    public void Segment_FlipTta_MirrorsTheSecondPassBack()
    {
        // Given an engine whose WT probability is 1 on the left half of each slice only
        var files = Phantoms()[0];
        using var engine = new HalfEngine(Info());
        var plain = new CasePredictor(engine, SmallRecipe, new PredictOptions(Probabilities: true)).Segment(files);
        var tta = new CasePredictor(engine, SmallRecipe, new PredictOptions(FlipTta: true, Probabilities: true)).Segment(files);

        // Then with flip TTA the mirrored pass puts its 1s on the right half, so the average is 0.5 everywhere
        // the plain pass said 1 or 0 inside the crop
        var p = plain.Probabilities![0].Data;
        var t = tta.Probabilities![0].Data;
        Assert.Contains(p, v => v == 1f);
        Assert.All(Enumerable.Range(0, p.Length).Where(i => p[i] == 1f), i => Assert.Equal(0.5f, t[i]));
    }

    [Fact]
    public void FlipX_ReversesEachRow()
    {
        float[] data = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        PreparedCaseSegmenter.FlipX(data, 1, 3, 3);
        Assert.Equal([3f, 2, 1, 6, 5, 4, 9, 8, 7], data);
    }

    [Fact]
    public void Run_WritesAtomically_SkipsExisting_AndReportsFailures()
    {
        // Given two phantom cases, one of which has lost a modality file
        var cases = Phantoms(2);
        var broken = cases[1] with { ModalityFiles = [cases[1].ModalityFiles[0], cases[1].ModalityFiles[1], Path.Combine(_root.FullName, "gone.nii.gz")] };
        using var engine = new ConstantEngine(Info(), 0.9f, 0.1f, 0.1f);
        var predictor = new CasePredictor(engine, SmallRecipe, new PredictOptions());
        var outDir = Path.Combine(_root.FullName, "out");

        // When both are predicted
        var first = DatasetPredictor.Run(predictor, [cases[0], broken], outDir, new PredictOptions());

        // Then the good one is written, the broken one reported, and the run went on
        Assert.Equal(CaseOutcome.Written, first[0].Outcome);
        Assert.Equal(CaseOutcome.Failed, first[1].Outcome);
        Assert.Contains("gone.nii.gz", first[1].Error, StringComparison.Ordinal);
        Assert.Equal([DatasetPredictor.OutputName(cases[0].Name)], Directory.GetFiles(outDir).Select(Path.GetFileName));

        // And a second run with skip-existing leaves the written case alone
        var second = DatasetPredictor.Run(predictor, [cases[0]], outDir, new PredictOptions(SkipExisting: true));
        Assert.Equal(CaseOutcome.Skipped, second[0].Outcome);
    }

    [Fact]
    public void Segment_RejectsOtherModalities_NamingTheModel()
    {
        var files = Phantoms()[0];
        using var engine = new ConstantEngine(Info("/models/x.segan"), 0.9f, 0.1f, 0.1f);
        var predictor = new CasePredictor(engine, SmallRecipe, new PredictOptions());
        var twoModalities = files with { Modalities = ["T1c", "T2"], ModalityFiles = [files.ModalityFiles[0], files.ModalityFiles[1]] };

        var error = Assert.Throws<SegANException>(() => predictor.Segment(twoModalities));

        Assert.Contains("/models/x.segan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InferenceRecipe_RoundTripsThroughTheModelHeader()
    {
        var recipe = InferenceRecipe.From(Info().Header, "m");
        Assert.Equal(SmallRecipe, recipe);
    }

    [SkippableFact]
    public void WrittenPrediction_HasTheInputsAffine_ForNibabel()
    {
        var files = Phantoms()[0];
        using var engine = new ConstantEngine(Info(), 0.9f, 0.1f, 0.1f);
        var outDir = Path.Combine(_root.FullName, "out");
        DatasetPredictor.Run(new CasePredictor(engine, SmallRecipe, new PredictOptions()), [files], outDir, new PredictOptions());
        var written = Path.Combine(outDir, DatasetPredictor.OutputName(files.Name));

        var text = ImagingTestSupport.Nibabel(
            "import sys, nibabel as nib, numpy as np\n"
            + "a, b = nib.load(sys.argv[1]), nib.load(sys.argv[2])\n"
            + "print(a.shape == b.shape, np.allclose(a.affine, b.affine), ''.join(nib.aff2axcodes(a.affine)) == ''.join(nib.aff2axcodes(b.affine)), b.get_data_dtype())",
            files.ModalityFiles[0],
            written);

        Assert.Equal("True True True uint8", text.Trim());
    }
}

/// <summary>One pipeline, two engines: the same case segmented through TorchSharp and through ONNX Runtime.</summary>
public sealed class EngineAgreementTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-engines-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData(Variant.S3_3C)]
    [InlineData(Variant.UNet)]
    public void Predict_ViaOnnxAndViaTorch_GiveTheSameLabelMap(Variant variant)
    {
        // Given a phantom case and a random two-modality model saved as model.segan
        PhantomModelCase written;
        using (var network = SegAN.Tests.Export.ExportTestModels.Random(variant))
        {
            written = PhantomModelCase.Write(_root, network, new PreprocessOptions(CropX: 40, CropY: 40, CropZ: 32));
        }

        var (files, recipe, model) = written;

        // When the case is segmented by each engine
        var options = new PredictOptions(Probabilities: true);
        CaseSegmentation Segment(EngineKind kind)
        {
            using var engine = EngineFactory.Open(model, kind, SegAN.Compute.DeviceSpec.Cpu, 0);
            return new CasePredictor(engine, recipe, options).Segment(files);
        }

        var torchResult = Segment(EngineKind.Torch);
        var onnxResult = Segment(EngineKind.Onnx);

        // Then the label maps agree except where a region's probability sits within 1e-4 of the threshold
        var differing = 0;
        for (var i = 0; i < torchResult.Labels.Data.Length; i++)
        {
            if (torchResult.Labels.Data[i] == onnxResult.Labels.Data[i])
            {
                continue;
            }

            differing++;
            Assert.Contains(torchResult.Probabilities!, p => Math.Abs(p.Data[i] - 0.5f) <= 1e-4f);
        }

        Assert.True(differing <= 10, $"{differing} voxels differ");
        Assert.Contains(torchResult.Labels.Data, v => v != 0);
    }
}

/// <summary>WT probability 1 on the left half (x below the middle) of each slice, 0 elsewhere.</summary>
internal sealed class HalfEngine(SegmentationModelInfo info) : ISegmentationEngine
{
    public string Name => "half";

    public SegmentationModelInfo Model { get; } = info;

    public float[] PredictRegions(float[] images, int n, int c, int h, int w)
    {
        var output = new float[n * 3 * h * w];
        for (var i = 0; i < n; i++)
        {
            for (var y = 0; y < h; y++)
            {
                Array.Fill(output, 1f, (i * 3 * h * w) + (y * w), w / 2);
            }
        }

        return output;
    }

    public void Dispose()
    {
    }
}
