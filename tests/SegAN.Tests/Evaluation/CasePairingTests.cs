using SegAN.Evaluation;

namespace SegAN.Tests.Evaluation;

public sealed class CasePairingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("segan-pairing-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Truths_FindBrats2021_2023_And2015Segmentations()
    {
        // Given segmentations named as three BraTS releases, beside image files that must not count
        Touch("BraTS2021_00001/BraTS2021_00001_seg.nii.gz");
        Touch("BraTS2021_00001/BraTS2021_00001_flair.nii.gz");
        Touch("BraTS-GLI-00002-000/BraTS-GLI-00002-000-seg.nii.gz");
        Touch("BraTS-GLI-00002-000/BraTS-GLI-00002-000-t2f.nii.gz");
        Touch("HGG/brats_2013_pat0001_1/VSD.Brain_3more.XX.O.OT.54517/VSD.Brain_3more.XX.O.OT.54517.mha");
        Touch("HGG/brats_2013_pat0001_1/VSD.Brain.XX.O.MR_Flair.54512/VSD.Brain.XX.O.MR_Flair.54512.mha");

        var truths = CasePairing.Truths(new DirectoryInfo(_root));

        Assert.Equal(["BraTS-GLI-00002-000", "BraTS2021_00001", "brats_2013_pat0001_1"], truths.Keys.Order(StringComparer.Ordinal));
        Assert.EndsWith("BraTS2021_00001_seg.nii.gz", truths["BraTS2021_00001"], StringComparison.Ordinal);
    }

    [Fact]
    public void Truths_ReadAFlatFolder_WhenNothingLooksLikeBrats()
    {
        Touch("case1.nii.gz");
        Touch("case2.nii");
        Touch("notes.txt");
        Touch("curves.png");

        var truths = CasePairing.Truths(new DirectoryInfo(_root));

        Assert.Equal(["case1", "case2"], truths.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Predictions_AcceptSegSuffixOrPlainName_AndRejectTwoForOneCase()
    {
        Touch("a_seg.nii.gz");
        Touch("b.nii.gz");
        Touch("c-seg.nii.gz");
        Assert.Equal(["a", "b", "c"], CasePairing.Predictions(new DirectoryInfo(_root)).Keys.Order(StringComparer.Ordinal));

        Touch("a.nii.gz");
        var e = Assert.Throws<SegANException>(() => CasePairing.Predictions(new DirectoryInfo(_root)));
        Assert.Contains("case a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_ReportsEveryCaseOfEitherSide()
    {
        Touch("pred/x_seg.nii.gz");
        Touch("pred/y_seg.nii.gz");
        Touch("truth/y/y_seg.nii.gz");
        Touch("truth/z/z_seg.nii.gz");

        var pairs = CasePairing.Match(new DirectoryInfo(Path.Combine(_root, "pred")), new DirectoryInfo(Path.Combine(_root, "truth")));

        Assert.Equal(3, pairs.Count);
        Assert.Null(pairs[0].TruthFile); // x
        Assert.NotNull(pairs[1].PredictionFile);
        Assert.NotNull(pairs[1].TruthFile); // y
        Assert.Null(pairs[2].PredictionFile); // z
    }

    private void Touch(string relative)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }
}
