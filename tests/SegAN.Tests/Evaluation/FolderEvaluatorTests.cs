using SegAN.Data;
using SegAN.Evaluation;

namespace SegAN.Tests.Evaluation;

public sealed class FolderEvaluatorTests : IDisposable
{
    private readonly EvaluationFixture _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void EvaluateCase_ScoresEachRegion_FromTheLabelConvention()
    {
        // Given (BraTS 2021: 1 NCR, 2 ED, 4 ET) a truth and a prediction on a 4 x 3 x 2 grid, 2 mm slices
        var truth = EvaluationFixture.LabelMap(
            0, 2, 2, 0,
            0, 1, 4, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
            0, 0, 0, 0);
        var prediction = EvaluationFixture.LabelMap(
            0, 2, 2, 2,
            0, 4, 4, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
            0, 0, 0, 0);

        // When scoring
        var result = FolderEvaluator.EvaluateCase("c", prediction, truth, LabelConvention.Brats2021, "p", "t");

        // Then WT: truth {1,2,5,6}, prediction {1,2,3,5,6}: TP 4, FP 1, FN 0 -> Dice 8/9, precision 4/5, sensitivity 1
        var wt = result[Region.WholeTumour];
        Assert.Equal(8.0 / 9, wt.Dice, 12);
        Assert.Equal(0.8, wt.Precision, 12);
        Assert.Equal(1.0, wt.Sensitivity, 12);
        Assert.Equal(19.0 / 20, wt.Specificity, 12);

        // TC = {1, 4}: truth {5, 6}, prediction {5, 6}: identical
        Assert.Equal(1.0, result[Region.TumourCore].Dice, 12);
        Assert.Equal(0.0, result[Region.TumourCore].Hd95, 12);

        // ET = {4}: truth {6}, prediction {5, 6}: Dice 2/3, HD95 from the directed sets {0} and {0, 1 mm}
        var et = result[Region.EnhancingTumour];
        Assert.Equal(2.0 / 3, et.Dice, 12);
        Assert.Equal(0.5, et.Precision, 12);
        Assert.Equal(0.95, et.Hd95, 12); // numpy.percentile([0, 1], 95)
    }

    [Fact]
    public void Evaluate_ListsMissingPredictionsAndTruths_AndScoresTheRest()
    {
        // Given truths for a, b, c and predictions for a (CASE_seg), b (CASE.nii.gz) and d
        var labels = EvaluationFixture.LabelMap(0, 2, 2, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _files.WriteTruth("a", labels);
        _files.WriteTruth("b", labels);
        _files.WriteTruth("c", labels);
        _files.WritePrediction("a_seg.nii.gz", labels);
        _files.WritePrediction("b.nii.gz", labels);
        _files.WritePrediction("d_seg.nii.gz", labels);

        // When evaluating the folders
        var result = FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(_files.Predictions), new DirectoryInfo(_files.Truth)));

        // Then a and b are scored perfectly, c lacks a prediction, d lacks a truth
        Assert.Equal(["a", "b"], result.Cases.Select(c => c.Case));
        Assert.Equal(["c"], result.MissingPredictions);
        Assert.Equal(["d"], result.MissingTruths);
        Assert.All(result.Regions, r => Assert.Equal(1.0, r.Dice.Mean));
        Assert.All(result.Regions, r => Assert.Equal(0.0, r.Hd95.Max));
    }

    [Fact]
    public void Evaluate_ShapeMismatch_NamesBothFiles()
    {
        var truthPath = _files.WriteTruth("a", EvaluationFixture.LabelMap(new float[24]));
        var predictionPath = _files.WritePrediction("a.nii.gz", EvaluationFixture.LabelMap([4, 3, 1], [1, 1, 1], new float[12]));

        var e = Assert.Throws<SegANException>(() => FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(_files.Predictions), new DirectoryInfo(_files.Truth))));

        Assert.Contains(truthPath, e.Message, StringComparison.Ordinal);
        Assert.Contains(predictionPath, e.Message, StringComparison.Ordinal);
        Assert.Contains("4x3x1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_LabelOutsideTheConvention_NamesTheFile()
    {
        // Given a BraTS 2021 prediction read as BraTS 2023 (no label 4)
        var labels = EvaluationFixture.LabelMap(0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        _files.WriteTruth("a", EvaluationFixture.LabelMap(new float[24]));
        var predictionPath = _files.WritePrediction("a.nii.gz", labels);

        var e = Assert.Throws<SegANException>(() => FolderEvaluator.Evaluate(
            new EvaluateOptions(new DirectoryInfo(_files.Predictions), new DirectoryInfo(_files.Truth), LabelConvention.Brats2023)));

        Assert.Contains(predictionPath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NoMatchingCase_IsAnError()
    {
        _files.WriteTruth("a", EvaluationFixture.LabelMap(new float[24]));
        _files.WritePrediction("b.nii.gz", EvaluationFixture.LabelMap(new float[24]));

        var e = Assert.Throws<SegANException>(() => FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(_files.Predictions), new DirectoryInfo(_files.Truth))));

        Assert.Contains("no prediction matches", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ReadsBrats2015MetaImageTruths_AndAFlatFolder()
    {
        // Given a BraTS 2015 case (its .OT. label map as MetaImage in its own subfolder, 2 mm slices) and a prediction
        var labels = new byte[] { 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        var otFolder = Directory.CreateDirectory(Path.Combine(_files.Truth, "HGG", "brats_2013_pat0001_1", "VSD.Brain_3more.XX.O.OT.54517")).FullName;
        var header = "ObjectType = Image\nNDims = 3\nDimSize = 4 3 2\nElementSpacing = 1 1 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n";
        File.WriteAllBytes(Path.Combine(otFolder, "VSD.Brain_3more.XX.O.OT.54517.mha"), [.. System.Text.Encoding.ASCII.GetBytes(header), .. labels]);
        _files.WritePrediction("brats_2013_pat0001_1.nii.gz", EvaluationFixture.LabelMap([.. labels.Select(b => (float)b)]));

        // When evaluating with the 2015 convention
        var result = FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(_files.Predictions), new DirectoryInfo(_files.Truth), LabelConvention.Brats2015));

        // Then the case is found and matches itself in every region
        var c = Assert.Single(result.Cases);
        Assert.Equal("brats_2013_pat0001_1", c.Case);
        Assert.All(c.Regions, r => Assert.Equal(1.0, r.Scores.Dice));

        // And a flat folder of label maps works too
        var flat = Directory.CreateDirectory(Path.Combine(_files.Root, "flat")).FullName;
        WriteFlat(flat);
        var flatResult = FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(_files.Predictions), new DirectoryInfo(flat), LabelConvention.Brats2015));
        Assert.Equal("brats_2013_pat0001_1", Assert.Single(flatResult.Cases).Case);

        static void WriteFlat(string folder) => SegAN.Imaging.NiftiFile.Write(
            Path.Combine(folder, "brats_2013_pat0001_1.nii.gz"),
            EvaluationFixture.LabelMap([0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void Evaluate_Phantoms_PerfectAndEmptyPredictions_FollowBratsRules()
    {
        // Given two synthetic BraTS 2021 cases; case 1 predicted exactly, case 2 predicted empty
        var folders = PhantomGenerator.WriteDataset(new DirectoryInfo(_files.Truth), 2, new PhantomOptions(Size: 32, Seed: 3));
        var names = folders.Select(Path.GetFileName).ToList();
        var truth1 = SegAN.Imaging.ImageFile.Read(Path.Combine(folders[0], $"{names[0]}_seg.nii.gz"));
        _files.WritePrediction($"{names[0]}_seg.nii.gz", truth1);
        _files.WritePrediction($"{names[1]}_seg.nii.gz", truth1.WithData(new float[truth1.Data.Length]));

        // When evaluating
        var result = FolderEvaluator.Evaluate(new EvaluateOptions(new DirectoryInfo(_files.Predictions), new DirectoryInfo(_files.Truth)));

        // Then case 1 scores Dice 1 / HD95 0 and case 2 Dice 0 / HD95 373.13 in every region (the phantoms have all three)
        Assert.Equal(2, result.Cases.Count);
        Assert.All(result.Cases[0].Regions, r => Assert.Equal((1.0, 0.0), (r.Scores.Dice, r.Scores.Hd95)));
        Assert.All(result.Cases[1].Regions, r => Assert.Equal((0.0, 373.13), (r.Scores.Dice, r.Scores.Hd95)));
        Assert.All(result.Regions, r => Assert.Equal(0.5, r.Dice.Mean));
    }

    [Fact]
    public void MetricSummary_Of_MatchesHandComputedStatistics()
    {
        // Given 1, 2, 3, 6: mean 3, median 2.5, population variance (4 + 1 + 0 + 9) / 4 = 3.5
        var s = MetricSummary.Of([3.0, 1.0, 6.0, 2.0]);

        Assert.Equal(new MetricSummary(3, 2.5, Math.Sqrt(3.5), 1, 6), s);
        Assert.True(double.IsNaN(MetricSummary.Of([]).Mean));
    }
}
