using SegAN.Data;
using SegAN.Imaging;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;

namespace SegAN.Tests.Inference;

/// <summary>
/// The whole prediction path on a real-like case whose truth is known: a 240x240x155 float32 volume, z-scored
/// elsewhere with its background set to a negative constant (the volume's minimum), one tumour at the brain's edge.
/// An oracle engine thresholds the normalised intensities exactly where the regions lie, so any voxel the written
/// label map gets wrong comes from the path itself: background detection, percentile clipping, the crop window, the
/// slice window, the threshold, the no-signal mask or the restore into the input geometry.
/// </summary>
public sealed class PredictionPathTests : IDisposable
{
    private const float Background = -1.234f;
    private static readonly int[] Shape = [240, 240, 155];
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-path-");

    public void Dispose() => _root.Delete(recursive: true);

    /// <summary>Intensity levels of channel 0: brain, edema, necrotic core, enhancing core (the truth's regions).</summary>
    private static readonly float[] Levels = [0.3f, 2.1f, 3.4f, 4.6f];

    [Fact]
    public void Predict_WritesTheTruthExactly_WithTheWholeWindow_AndMissesTheEdgeWithThePapersCrop()
    {
        // Given the real-like case and its label map (BraTS 2021 numbers)
        var (files, truth) = WriteCase();
        var recipe = new InferenceRecipe(PreprocessOptions.Default, SliceCrop.PaperSize, LabelConvention.Brats2021);
        var thresholds = OracleThresholds(files, recipe);
        var info = new SegmentationModelInfo(
            "oracle.segan",
            ModelFileKind.Segan,
            new ModelHeader(1, new SegANArchitecture(Variant.S3_3C, 2), ["FLAIR", "T1c"], "brats2021", recipe.ToPreprocessingJson(), 0, null, DateTimeOffset.UnixEpoch));
        using var engine = new OracleEngine(info, thresholds);

        // When it is segmented with the default (whole-slice) window and with the paper's centred crop
        var whole = new CasePredictor(engine, recipe, new PredictOptions()).Segment(files).Labels;
        var centre = new CasePredictor(engine, recipe, new PredictOptions(Window: SliceWindow.Centre)).Segment(files).Labels;

        // Then the whole window gives the truth voxel for voxel, in the input's geometry
        Assert.Equal(truth.Geometry.Shape, whole.Geometry.Shape);
        Assert.Equal(truth.Geometry.Affine, whole.Geometry.Affine);
        var wrong = Enumerable.Range(0, truth.Data.Length).Count(i => truth.Data[i] != whole.Data[i]);
        Assert.Equal(0, wrong);

        // And the centred 160x160 crop loses the tumour's part beyond it (never adds any)
        var lost = Enumerable.Range(0, truth.Data.Length).Count(i => truth.Data[i] != 0 && centre.Data[i] == 0);
        var added = Enumerable.Range(0, truth.Data.Length).Count(i => truth.Data[i] == 0 && centre.Data[i] != 0);
        Assert.True(lost > 1000, $"the paper's crop should cut the edge tumour; it lost {lost} voxels");
        Assert.Equal(0, added);
    }

    [Fact]
    public void PapersGrid_CutsABrainTallerThan128mm()
    {
        var (files, _) = WriteCase();
        var prepared = Preprocessor.Prepare(CaseLoader.Load(files), PreprocessOptions.Paper, LabelConvention.Brats2021);
        var brain = CaseLoader.Load(files).Modalities[0].Data.Count(v => v != Background);

        Assert.True(prepared.Foreground().Count(b => b) < brain, "the 130 mm tall brain should not fit 128 slices");
    }

    [Fact]
    public void Preprocessor_FindsTheNegativeConstantBackground_AndTheWholeBrainInsideTheGrid()
    {
        var (files, truth) = WriteCase();
        var volumes = CaseLoader.Load(files);

        // The background is the constant, not 0
        Assert.Equal(Background, Preprocessor.Background(volumes.Modalities[0].Data, Shape));

        // Every brain voxel (and so every tumour voxel) lies inside the prepared grid, which holds exactly them as signal
        var prepared = Preprocessor.Prepare(volumes, PreprocessOptions.Default, LabelConvention.Brats2021);
        var restored = prepared.Restore(Array.ConvertAll(prepared.Foreground(), b => b ? 1f : 0f));
        var brain = volumes.Modalities[0].Data.Select(v => v != Background).ToArray();
        Assert.Equal(brain.Count(b => b), restored.Data.Count(v => v != 0));
        Assert.Equal(truth.Data.Count(v => v != 0), prepared.Regions!.Where((_, i) => i / prepared.SliceSize % 3 == 0).Count(v => v != 0));
    }

    /// <summary>Writes the case: an ellipsoidal brain of real size, a tumour (edema, necrosis, enhancing core) touching its edge.</summary>
    private (CaseFiles Files, Volume Truth) WriteCase()
    {
        int nx = Shape[0], ny = Shape[1], nz = Shape[2];
        var geometry = ImageGeometry.FromSpacing(Shape, [1, 1, 1]);
        var flair = new float[nx * ny * nz];
        var t1c = new float[flair.Length];
        var seg = new float[flair.Length];
        Array.Fill(flair, Background);
        Array.Fill(t1c, Background);
        const double cx = 120, cy = 124, cz = 72; // brain centre: 140 x 170 x 130 mm ellipsoid
        const double tx = 120, ty = 124 + 70, tz = 80; // tumour centre 15 mm inside the brain's front edge
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var i = x + (nx * (y + (ny * z)));
                    var e = Math.Pow((x - cx) / 70, 2) + Math.Pow((y - cy) / 85, 2) + Math.Pow((z - cz) / 65, 2);
                    if (e > 1)
                    {
                        continue;
                    }

                    var r = Math.Sqrt(((x - tx) * (x - tx)) + ((y - ty) * (y - ty)) + ((z - tz) * (z - tz)));
                    var level = r <= 14 ? 3 : r <= 20 ? 2 : r <= 30 ? 1 : 0;
                    flair[i] = Levels[level];
                    t1c[i] = 0.5f + (0.01f * (x % 7)); // a second modality with signal everywhere in the brain
                    seg[i] = level switch { 3 => 4, 2 => 1, 1 => 2, _ => 0 };
                }
            }
        }

        var dir = Directory.CreateDirectory(Path.Combine(_root.FullName, "case"));
        string Save(string name, float[] data)
        {
            var path = Path.Combine(dir.FullName, name);
            NiftiFile.Write(path, new Volume(data, geometry));
            return path;
        }

        var files = CaseFiles.FromFiles(["FLAIR", "T1c"], [Save("case_flair.nii", flair), Save("case_t1ce.nii", t1c)], Save("case_seg.nii", seg), "case");
        return (files, new Volume(seg, geometry));
    }

    /// <summary>Midpoints between the normalised levels of channel 0, found by preprocessing the case as predict does.</summary>
    private static float[] OracleThresholds(CaseFiles files, InferenceRecipe recipe)
    {
        var prepared = Preprocessor.Prepare(CaseLoader.Load(files with { SegFile = null }), recipe.Preprocess, recipe.Labels);
        var values = new SortedSet<float>();
        for (var z = 0; z < prepared.Depth; z++)
        {
            foreach (var v in prepared.Image.AsSpan(z * prepared.Channels * prepared.SliceSize, prepared.SliceSize))
            {
                if (v != 0)
                {
                    values.Add(v);
                }
            }
        }

        Assert.Equal(Levels.Length, values.Count); // clipping kept the four levels apart
        var sorted = values.ToArray();
        return [.. Enumerable.Range(1, 3).Select(k => (sorted[k - 1] + sorted[k]) / 2)];
    }

    /// <summary>WT, TC, ET probabilities 0.9 above each threshold of channel 0, else 0.1.</summary>
    private sealed class OracleEngine(SegmentationModelInfo info, float[] thresholds) : ISegmentationEngine
    {
        public string Name => "oracle";

        public SegmentationModelInfo Model { get; } = info;

        public float[] PredictRegions(float[] images, int n, int c, int h, int w)
        {
            var plane = h * w;
            var output = new float[n * 3 * plane];
            for (var i = 0; i < n; i++)
            {
                for (var p = 0; p < plane; p++)
                {
                    var v = images[(i * c * plane) + p];
                    for (var r = 0; r < 3; r++)
                    {
                        output[(((i * 3) + r) * plane) + p] = v > thresholds[r] ? 0.9f : 0.1f;
                    }
                }
            }

            return output;
        }

        public void Dispose()
        {
        }
    }
}
