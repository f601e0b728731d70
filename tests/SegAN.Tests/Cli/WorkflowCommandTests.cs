using SegAN.Cli;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Persistence;
using SegAN.Training;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

/// <summary>The verbs chained as a user would: train, predict and evaluate through the command line, and the demo.</summary>
public sealed class WorkflowCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-workflow-");

    public void Dispose() => _root.Delete(recursive: true);

    private static (int Code, string Output) Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 300;
        var code = SeganApp.Run(args, console);
        return (code, console.Output);
    }

    /// <summary>Phantoms renamed to a custom two-modality layout: CASE/scan_T2w.nii.gz, CASE/scan_fl.nii.gz, CASE/lab.nii.gz.</summary>
    private string CustomTwoModalityDataset(int cases)
    {
        var source = Path.Combine(_root.FullName, "phantoms");
        PhantomGenerator.WriteDataset(new DirectoryInfo(source), cases, new PhantomOptions(Size: 48, Seed: 2));
        var custom = Path.Combine(_root.FullName, "custom");
        foreach (var c in DatasetDiscovery.Discover(new DirectoryInfo(source), DatasetPresets.Layout(DatasetPreset.Brats2021, ["T2", "FLAIR"])))
        {
            var folder = Directory.CreateDirectory(Path.Combine(custom, "subject-" + c.Name)).FullName;
            File.Copy(c.ModalityFiles[0], Path.Combine(folder, "scan_T2w.nii.gz"));
            File.Copy(c.ModalityFiles[1], Path.Combine(folder, "scan_fl.nii.gz"));
            File.Copy(c.SegFile!, Path.Combine(folder, "lab.nii.gz"));
        }

        return custom;
    }

    [Fact]
    public void TrainPredictEvaluate_WorkOnACustomTwoModalityDataset()
    {
        // Given a dataset with only T2 and FLAIR under custom file names
        var data = CustomTwoModalityDataset(3);
        string[] layout = ["--modality", "T2=*_T2w.nii.gz", "--modality", "FLAIR=*_fl.nii.gz"];
        var run = Path.Combine(_root.FullName, "run");

        // When a tiny model trains on it
        var (trainCode, trainOutput) = Run(
        [
            "train", "--data", data, "--out", run, .. layout, "--seg", "lab.nii.gz", "--labels", "brats2021",
            "--steps", "4", "--batch", "4", "--depth", "2", "--width", "4", "--slice-size", "32", "--crop", "40x40x32",
            "--val-every", "2", "--val-fraction", "0.34", "--seed", "3", "--threads", "2",
        ]);

        // Then the run folder holds everything a run leaves, and the model knows its two modalities
        Assert.True(trainCode == ExitCodes.Ok, trainOutput);
        foreach (var file in new[] { ModelFile.FileName, Checkpoint.FileName, Trainer.MetricsFileName, Trainer.OptionsFileName, Trainer.LogFileName, "curves.png" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing; output:\n{trainOutput}");
        }

        Assert.Equal(["T2", "FLAIR"], ModelFile.ReadHeader(Path.Combine(run, ModelFile.FileName)).Modalities);

        // When it segments the same folder (matched by the same patterns) and the result is evaluated
        var predictions = Path.Combine(_root.FullName, "pred");
        var (predictCode, predictOutput) = Run(["predict", "-m", Path.Combine(run, ModelFile.FileName), "-i", data, "-o", predictions, .. layout, "--threads", "2"]);
        Assert.True(predictCode == ExitCodes.Ok, predictOutput);
        var written = Directory.GetFiles(predictions, "*_seg.nii.gz").Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["subject-Phantom001_seg.nii.gz", "subject-Phantom002_seg.nii.gz", "subject-Phantom003_seg.nii.gz"], written);

        // Then each label map has its input's geometry and only BraTS 2021 labels
        var input = ImageFile.Read(Path.Combine(data, "subject-Phantom001", "scan_T2w.nii.gz"));
        var output = ImageFile.Read(Path.Combine(predictions, "subject-Phantom001_seg.nii.gz"));
        Assert.Equal(input.Geometry.Shape, output.Geometry.Shape);
        Assert.Equal(input.Geometry.Affine, output.Geometry.Affine);
        Assert.All(output.Data.Distinct(), v => Assert.Contains(v, new[] { 0f, 1f, 2f, 4f }));

        // And evaluate scores all three cases against a flat folder of their truths
        var truths = Directory.CreateDirectory(Path.Combine(_root.FullName, "truth")).FullName;
        foreach (var folder in Directory.GetDirectories(data))
        {
            File.Copy(Path.Combine(folder, "lab.nii.gz"), Path.Combine(truths, Path.GetFileName(folder) + ".nii.gz"));
        }

        var report = Path.Combine(_root.FullName, "report");
        var (evaluateCode, evaluateOutput) = Run(["evaluate", "--pred", predictions, "--truth", truths, "-o", report]);
        Assert.True(evaluateCode == ExitCodes.Ok, evaluateOutput);
        Assert.Equal(1 + (3 * 3), File.ReadAllLines(Path.Combine(report, "cases.csv")).Length);

        // And --bf16 runs where the CPU has AVX512-BF16 and is a clear error elsewhere
        var (bf16Code, bf16Output) = Run(["predict", "-m", Path.Combine(run, ModelFile.FileName), "-i", data, "-o", Path.Combine(_root.FullName, "bf16"), .. layout, "--bf16"]);
        Assert.True(bf16Code == (SegAN.Compute.CpuFeatures.HasAvx512Bf16 ? ExitCodes.Ok : ExitCodes.Usage), bf16Output);
    }

    [Fact]
    public void Predict_ExplicitFiles_WithTheWrongModalityCount_IsAClearError()
    {
        var data = CustomTwoModalityDataset(2);
        var run = Path.Combine(_root.FullName, "run");
        var (trainCode, trainOutput) = Run(
        [
            "train", "--data", data, "--out", run, "--modality", "T2=*_T2w.nii.gz", "--modality", "FLAIR=*_fl.nii.gz", "--seg", "lab.nii.gz",
            "--steps", "2", "--batch", "2", "--depth", "2", "--width", "4", "--slice-size", "32", "--crop", "40x40x32", "--val-every", "2",
        ]);
        Assert.True(trainCode == ExitCodes.Ok, trainOutput);
        var t2 = Path.Combine(data, "subject-Phantom001", "scan_T2w.nii.gz");

        var (code, output) = Run(["predict", "-m", Path.Combine(run, ModelFile.FileName), "-o", Path.Combine(_root.FullName, "p"), "--modality", $"T2={t2}"]);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("2 modalities (T2, FLAIR) but 1 were given", output, StringComparison.Ordinal);

        var (okCode, okOutput) = Run(["predict", "-m", Path.Combine(run, ModelFile.FileName), "-o", Path.Combine(_root.FullName, "p"), "--modality", $"T2={t2}", "--modality", $"FLAIR={Path.Combine(data, "subject-Phantom001", "scan_fl.nii.gz")}"]);
        Assert.True(okCode == ExitCodes.Ok, okOutput);
        Assert.True(File.Exists(Path.Combine(_root.FullName, "p", "scan_T2w_seg.nii.gz")), okOutput);
    }

    [Fact]
    public void Train_RefusesAnExistingRun_WithoutResume()
    {
        var data = CustomTwoModalityDataset(2);
        var run = Path.Combine(_root.FullName, "run");
        string[] args =
        [
            "train", "--data", data, "--out", run, "--modality", "T2=*_T2w.nii.gz", "--modality", "FLAIR=*_fl.nii.gz", "--seg", "lab.nii.gz",
            "--steps", "2", "--batch", "2", "--depth", "2", "--width", "4", "--slice-size", "32", "--crop", "40x40x32", "--val-every", "2",
        ];
        Assert.Equal(ExitCodes.Ok, Run(args).Code);

        var (code, output) = Run(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--resume, --out:", output, StringComparison.Ordinal);
        Assert.Contains("already holds a run", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_RunsTheWholeWorkflow_AndPrintsTheTable()
    {
        var outDir = Path.Combine(_root.FullName, "demo");

        var (code, output) = Run(["demo", "--out", outDir, "--steps", "4", "--train-cases", "2", "--test-cases", "1", "--size", "48", "--threads", "2"]);

        Assert.True(code == ExitCodes.Ok, output);
        Assert.Contains("mean Dice over regions", output, StringComparison.Ordinal);
        foreach (var file in new[] { "report/report.html", "report/summary.json", "report/cases.csv", "run/model.segan", "run/curves.png", "predictions/Phantom001_seg.nii.gz" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, file)), $"{file} missing");
        }
    }
}
