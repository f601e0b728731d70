using System.Text.Json;
using SegAN.Cli;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Persistence;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

/// <summary>The verbs on an nnU-Net raw dataset, found by its dataset.json alone: train, predict with nnU-Net's names, evaluate.</summary>
public sealed class NnUNetWorkflowTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-nnunet-workflow-");

    public void Dispose() => _root.Delete(recursive: true);

    private static (int Code, string Output) Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 300;
        var code = SeganApp.Run(args, console);
        return (code, console.Output);
    }

    [Fact]
    public void TrainPredictEvaluate_DetectAnNnUNetDataset()
    {
        // Given an nnU-Net copy of a phantom dataset, with one case moved to imagesTs
        var phantoms = Path.Combine(_root.FullName, "phantoms");
        PhantomGenerator.WriteDataset(new DirectoryInfo(phantoms), 4, new PhantomOptions(Size: 48, Seed: 2));
        var raw = Path.Combine(_root.FullName, "raw");
        Assert.Equal(ExitCodes.Ok, Run("convert", "--to", "nnunet", phantoms, raw, "--id", "5", "--name", "Phantoms").Code);
        var data = Path.Combine(raw, "Dataset005_Phantoms");
        var test = Directory.CreateDirectory(Path.Combine(data, "imagesTs")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(data, "imagesTr"), "Phantom004_*"))
        {
            File.Move(file, Path.Combine(test, Path.GetFileName(file)));
        }

        File.Delete(Path.Combine(data, "labelsTr", "Phantom004.nii.gz"));
        var json = Path.Combine(data, NnUNetDataset.JsonFileName);
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"numTraining\": 4", "\"numTraining\": 3", StringComparison.Ordinal));

        // When a tiny model trains on the folder without any layout option
        var run = Path.Combine(_root.FullName, "run");
        var (trainCode, trainOutput) = Run(
            "train", "--data", data, "--out", run, "--steps", "2", "--batch", "4", "--depth", "2", "--width", "4", "--slice-size", "32",
            "--crop", "40x40x32", "--val-every", "2", "--seed", "3", "--threads", "2");

        // Then it read channels 1-3 (T1ce, T2, Flair) and nnU-Net's labels
        Assert.True(trainCode == ExitCodes.Ok, trainOutput);
        var header = ModelFile.ReadHeader(Path.Combine(run, ModelFile.FileName));
        Assert.Equal(["T1c", "T2", "FLAIR"], header.Modalities);
        Assert.Equal("nnunet-brats", header.LabelConvention);

        // When it segments the dataset (its imagesTs) with nnU-Net's names, and the training cases are evaluated
        var predictions = Path.Combine(_root.FullName, "pred");
        var (predictCode, predictOutput) = Run("predict", "-m", Path.Combine(run, ModelFile.FileName), "-i", data, "-o", predictions, "--naming", "nnunet", "--threads", "2");
        Assert.True(predictCode == ExitCodes.Ok, predictOutput);
        Assert.Equal(["Phantom004.nii.gz"], Directory.GetFiles(predictions).Select(Path.GetFileName));
        Assert.All(ImageFile.Read(Path.Combine(predictions, "Phantom004.nii.gz")).Data.Distinct(), v => Assert.Contains(v, new[] { 0f, 1f, 2f, 3f }));

        var trainPredictions = Path.Combine(_root.FullName, "pred-train");
        foreach (var file in Directory.GetFiles(Path.Combine(data, "labelsTr")))
        {
            File.Copy(file, Path.Combine(Directory.CreateDirectory(trainPredictions).FullName, Path.GetFileName(file)));
        }

        var report = Path.Combine(_root.FullName, "report");
        var (evaluateCode, evaluateOutput) = Run("evaluate", "--pred", trainPredictions, "--truth", data, "-o", report);

        // Then evaluate pairs labelsTr by case and reads them with the dataset's own labels (a perfect copy scores 1)
        Assert.True(evaluateCode == ExitCodes.Ok, evaluateOutput);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "summary.json")));
        Assert.Equal("nnunet-brats", summary.RootElement.GetProperty("labels").GetString());
        Assert.Equal(3, summary.RootElement.GetProperty("cases_evaluated").GetInt32());
        Assert.Equal(1.0, summary.RootElement.GetProperty("mean").GetProperty("dice").GetDouble());
    }
}
