using SegAN.Imaging;

namespace SegAN.Tests.Evaluation;

/// <summary>Tiny label maps written as NIfTI files for evaluation tests, in a temporary folder.</summary>
internal sealed class EvaluationFixture : IDisposable
{
    public EvaluationFixture()
    {
        Root = Directory.CreateTempSubdirectory("segan-eval-").FullName;
        Predictions = Directory.CreateDirectory(Path.Combine(Root, "pred")).FullName;
        Truth = Directory.CreateDirectory(Path.Combine(Root, "truth")).FullName;
        Report = Path.Combine(Root, "report");
    }

    public string Root { get; }

    public string Predictions { get; }

    public string Truth { get; }

    public string Report { get; }

    /// <summary>A 4 x 3 x 2 label map (x fastest) with 2 mm slices.</summary>
    public static Volume LabelMap(params float[] labels) => LabelMap([4, 3, 2], [1, 1, 2], labels);

    public static Volume LabelMap(int[] shape, double[] spacing, float[] labels) =>
        new(labels, ImageGeometry.FromSpacing(shape, spacing));

    /// <summary>Writes a truth in BraTS 2021 layout: truth/CASE/CASE_seg.nii.gz; returns its path.</summary>
    public string WriteTruth(string name, Volume labels)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Truth, name)).FullName;
        var path = Path.Combine(folder, $"{name}_seg.nii.gz");
        NiftiFile.Write(path, labels, NiftiDataType.UInt8);
        return path;
    }

    /// <summary>Writes pred/FILE (FILE like CASE_seg.nii.gz or CASE.nii.gz); returns its path.</summary>
    public string WritePrediction(string fileName, Volume labels)
    {
        var path = Path.Combine(Predictions, fileName);
        NiftiFile.Write(path, labels, NiftiDataType.UInt8);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
