using SegAN.Cli;
using SegAN.Compute;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Experiments;
using SegAN.Imaging;
using SegAN.Models;
using SegAN.Training;
using Spectre.Console.Testing;

namespace SegAN.Tests.Data;

/// <summary>
/// nnU-Net v2 raw datasets (documentation/dataset_format.md, region_based_training.md): folders that follow the
/// format to the letter, folders that break it, and the conversion both ways.
/// </summary>
public sealed class NnUNetDatasetTests : IDisposable
{
    private const string RegionLabels = """
        "labels": { "background": 0, "whole tumor": [1, 2, 3], "tumor core": [2, 3], "enhancing tumor": [3] },
        "regions_class_order": [1, 2, 3],
        """;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-nnunet-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Read_FolderToTheLetter_FindsChannelsByName_LabelsAndTestCases()
    {
        // Given Dataset137's layout: four channels, region-based labels, two training cases and one test case
        var root = Dataset("Dataset137_BraTS", RegionLabels, ["T1", "T1ce", "T2", "Flair"], train: ["BraTS-001", "BraTS-002"], test: ["BraTS-009"]);

        // When it is read with the paper's modalities
        var dataset = NnUNetDataset.Read(root);
        var layout = dataset.Layout();
        var train = DatasetDiscovery.Discover(root, layout);
        var test = DatasetDiscovery.Discover(root, layout, requireLabels: false);

        // Then T1c, T2 and FLAIR are channels 1-3, the labels are nnU-Net's BraTS numbering, and the cases are found
        Assert.Equal(LabelConvention.NnUNetBrats, dataset.Labels);
        Assert.Equal(["*_0001.nii.gz", "*_0002.nii.gz", "*_0003.nii.gz"], layout.Modalities.Select(m => m.Pattern));
        Assert.Equal(["T1c", "T2", "FLAIR"], layout.ModalityNames);
        Assert.Equal(["BraTS-001", "BraTS-002"], train.Select(c => c.Name));
        Assert.EndsWith(Path.Combine("imagesTr", "BraTS-002_0003.nii.gz"), train[1].ModalityFiles[2], StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("labelsTr", "BraTS-001.nii.gz"), train[0].SegFile, StringComparison.Ordinal);
        Assert.Equal("BraTS-009", Assert.Single(test).Name);
        Assert.Null(test[0].SegFile);
    }

    [Theory]
    [InlineData("""{ "background": 0, "edema": 1, "non-enhancing and necrosis": 2, "enhancing tumor": 3 }""", LabelConvention.NnUNetBrats)]
    [InlineData("""{ "background": 0, "NCR": 1, "ED": 2, "ET": 3 }""", LabelConvention.Brats2023)]
    [InlineData("""{ "background": 0, "necrosis": 1, "edema": 2, "enhancing tumour": 4 }""", LabelConvention.Brats2021)]
    public void Read_PlainLabels_GiveTheirNumbering(string labels, LabelConvention expected)
    {
        var root = Dataset("Dataset500_Plain", $"\"labels\": {labels},", ["FLAIR", "T1", "T1c", "T2"], train: ["a"]);

        Assert.Equal(expected, NnUNetDataset.Read(root).Labels);
    }

    [Fact]
    public void Discover_ExplicitDatasetList_TakesItsFiles()
    {
        // Given a dataset whose dataset.json lists its files (relative to the dataset folder) in other folders
        var root = Dataset("Dataset501_List", RegionLabels, ["T1", "T1ce", "T2", "Flair"], train: ["x"]);
        var elsewhere = Directory.CreateDirectory(Path.Combine(root.FullName, "elsewhere")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root.FullName, "imagesTr")).Concat(Directory.EnumerateFiles(Path.Combine(root.FullName, "labelsTr"))))
        {
            File.Move(file, Path.Combine(elsewhere, Path.GetFileName(file)));
        }

        var json = File.ReadAllText(Path.Combine(root.FullName, "dataset.json")).TrimEnd().TrimEnd('}') +
            """, "dataset": { "case7": { "images": ["elsewhere/x_0000.nii.gz", "elsewhere/x_0001.nii.gz", "elsewhere/x_0002.nii.gz", "elsewhere/x_0003.nii.gz"], "label": "elsewhere/x.nii.gz" } } }""";
        File.WriteAllText(Path.Combine(root.FullName, "dataset.json"), json);

        var cases = DatasetDiscovery.Discover(root, NnUNetDataset.Read(root).Layout(["FLAIR"]));

        var only = Assert.Single(cases);
        Assert.Equal("case7", only.Name);
        Assert.Equal(Path.Combine(elsewhere, "x_0003.nii.gz"), only.ModalityFiles[0]);
        Assert.Equal(Path.Combine(elsewhere, "x.nii.gz"), only.SegFile);
    }

    [Fact]
    public void Discover_MissingChannel_NamesTheFileAndTheChannel()
    {
        var root = Dataset("Dataset502_Missing", RegionLabels, ["T1", "T1ce", "T2", "Flair"], train: ["a", "b"]);
        File.Delete(Path.Combine(root.FullName, "imagesTr", "b_0002.nii.gz"));

        var error = Assert.Throws<SegANException>(() => DatasetDiscovery.Discover(root, NnUNetDataset.Read(root).Layout()));

        Assert.Contains("b_0002.nii.gz: not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("channel 2 (T2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_ChannelNotInChannelNames_NamesDatasetJson()
    {
        var root = Dataset("Dataset503_TwoChannels", RegionLabels, ["T2", "Flair"], train: ["a"]);

        var error = Assert.Throws<SegANException>(() => NnUNetDataset.Read(root).Layout());

        Assert.Contains("dataset.json: channel_names (T2, Flair) has no T1c channel", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"labels\": { \"background\": 0, \"liver\": 1 },", "labels name no edema entry")]
    [InlineData("\"labels\": { \"background\": 0, \"whole tumor\": [1, 2, 3], \"tumor core\": [2, 3], \"enhancing tumor\": [3] },", "regions_class_order")]
    [InlineData("\"labels\": { \"background\": 0, \"whole tumor\": [1, 2, 3], \"tumor core\": [2, 3], \"enhancing tumor\": [3] }, \"regions_class_order\": [2, 1, 3],", "places label 2 for region [1, 2, 3]")]
    [InlineData("\"labels\": { \"background\": 0, \"whole tumor\": [1, 2, 5], \"tumor core\": [2, 5], \"enhancing tumor\": [5] }, \"regions_class_order\": [1, 2, 5],", "follow no known BraTS numbering")]
    [InlineData("\"labels\": { \"background\": 1, \"edema\": 0 },", "\"background\" to 0")]
    public void Read_LabelsThatBreakTheFormat_AreOneLineErrorsNamingDatasetJson(string labels, string expected)
    {
        var root = Dataset("Dataset504_Bad", labels, ["T1", "T1ce", "T2", "Flair"], train: ["a"]);

        var error = Assert.Throws<SegANException>(() => NnUNetDataset.Read(root));

        Assert.Contains("dataset.json", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Check_LabelNotInLabels_NamesTheFileAndTheValue()
    {
        // Given a case whose label map holds 4, which labels does not declare
        var root = Dataset("Dataset505_Label", RegionLabels, ["T1", "T1ce", "T2", "Flair"], train: ["a"]);
        var label = Path.Combine(root.FullName, "labelsTr", "a.nii.gz");
        var seg = ImageFile.Read(label);
        var data = (float[])seg.Data.Clone();
        data[0] = 4;
        NiftiFile.Write(label, seg.WithData(data), NiftiDataType.UInt8);

        // When segan dataset --check reads every case, then it names the file and the value
        var (code, output) = Check(root);
        Assert.NotEqual(ExitCodes.Ok, code);
        Assert.Contains("a.nii.gz: label 4 is not part of the nnunet-brats label convention", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MismatchedGeometry_NamesBothFiles()
    {
        // Given a case whose T2 has another shape than its T1
        var root = Dataset("Dataset506_Geometry", RegionLabels, ["T1", "T1ce", "T2", "Flair"], train: ["b"]);
        NiftiFile.Write(Path.Combine(root.FullName, "imagesTr", "b_0002.nii.gz"), new Volume(new float[6 * 6 * 4], ImageGeometry.FromSpacing([6, 6, 4], [1, 1, 1])));

        var (code, output) = Check(root);

        Assert.NotEqual(ExitCodes.Ok, code);
        Assert.Contains("b_0002.nii.gz has shape 6x6x4", output, StringComparison.Ordinal);
    }

    private static (int Code, string Output) Check(DirectoryInfo root)
    {
        var console = new TestConsole();
        console.Profile.Width = 1000;
        var code = SeganApp.Run(["dataset", root.FullName, "--check"], console);
        return (code, console.Output);
    }

    [Fact]
    public void Convert_RoundTrips_LabelValuesByteForByte_AndCopiesImages()
    {
        // Given a BraTS 2021 phantom dataset
        var brats = new DirectoryInfo(Path.Combine(_root.FullName, "brats"));
        PhantomGenerator.WriteDataset(brats, 3, new PhantomOptions(Size: 40, Seed: 5));

        // When segan convert writes it as nnU-Net and back
        var console = new TestConsole();
        var raw = Path.Combine(_root.FullName, "nnUNet_raw");
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["convert", "--to", "nnunet", brats.FullName, raw, "--id", "137", "--name", "BraTS"], console));
        var nnunet = new DirectoryInfo(Path.Combine(raw, "Dataset137_BraTS"));
        var back = Path.Combine(_root.FullName, "back");
        Assert.Equal(ExitCodes.Ok, SeganApp.Run(["convert", "--to", "brats", nnunet.FullName, back], console));

        // Then the nnU-Net copy follows Dataset137 (BraTS 2021's 1/2/4 as 2/1/3), and the round trip keeps every label and image
        Assert.Equal(LabelConvention.NnUNetBrats, NnUNetDataset.Read(nnunet).Labels);
        foreach (var name in Enumerable.Range(0, 3).Select(PhantomGenerator.CaseName))
        {
            var original = ImageFile.Read(Path.Combine(brats.FullName, name, $"{name}_seg.nii.gz")).Data;
            var converted = ImageFile.Read(Path.Combine(nnunet.FullName, "labelsTr", $"{name}.nii.gz")).Data;
            var returned = ImageFile.Read(Path.Combine(back, name, $"{name}_seg.nii.gz")).Data;
            Assert.Equal(original, returned);
            Assert.Equal(original.Select(v => v switch { 1 => 2f, 2 => 1f, 4 => 3f, _ => v }), converted);
            Assert.Equal(File.ReadAllBytes(Path.Combine(brats.FullName, name, $"{name}_t1ce.nii.gz")), File.ReadAllBytes(Path.Combine(nnunet.FullName, "imagesTr", $"{name}_0001.nii.gz")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(brats.FullName, name, $"{name}_flair.nii.gz")), File.ReadAllBytes(Path.Combine(back, name, $"{name}_flair.nii.gz")));
        }

        Assert.Contains("Wrote 3 cases", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Experiment_OnAnNnUNetCopy_GivesTheFiguresOfTheBraTSOriginal()
    {
        // Given a phantom dataset and its nnU-Net copy
        var brats = new DirectoryInfo(Path.Combine(_root.FullName, "brats"));
        PhantomGenerator.WriteDataset(brats, 4, new PhantomOptions(48, 6));
        var nnunet = new DirectoryInfo(DatasetConverter.ToNnUNet(
            DatasetDiscovery.Discover(brats, DatasetPresets.Layout(DatasetPreset.Brats2021, DatasetConverter.Modalities)), LabelConvention.Brats2021, Path.Combine(_root.FullName, "raw"), 137, "BraTS"));

        // When the same tiny experiment (train, predict, evaluate; same seed) runs on each
        var original = ExperimentRunner.Run(Tiny(brats, DatasetPresets.Layout(DatasetPreset.Brats2021), "exp-brats"), DeviceSpec.Cpu);
        var copy = ExperimentRunner.Run(Tiny(nnunet, NnUNetDataset.Read(nnunet).Layout(), "exp-nnunet"), DeviceSpec.Cpu);

        // Then the test figures are the same
        Assert.True(original.Complete && copy.Complete);
        Assert.Equal(original.Runs[0].Scores, copy.Runs[0].Scores);
    }

    private ExperimentOptions Tiny(DirectoryInfo data, DatasetLayout layout, string folder) => new(
        data,
        Path.Combine(_root.FullName, folder),
        layout,
        [Variant.S3_1C],
        Seeds: 1,
        Steps: 2,
        BatchSize: 2,
        LearningRate: 1e-3,
        Optimizer: OptimizerKind.Adam,
        Depth: 2,
        BaseWidth: 4,
        SliceSize: 32,
        Preprocess: PreprocessOptions.Paper with { CropX = 40, CropY = 40, CropZ = 32 },
        ValEvery: 2,
        LesionWise: BratsChallenge.Gli);

    // A dataset folder: dataset.json with the given labels, one small volume per channel and case, labels with every value.
    private DirectoryInfo Dataset(string name, string labels, string[] channels, string[] train, string[]? test = null)
    {
        var root = Directory.CreateDirectory(Path.Combine(_root.FullName, name));
        var names = string.Join(", ", channels.Select((c, i) => $"\"{i}\": \"{c}\""));
        File.WriteAllText(Path.Combine(root.FullName, "dataset.json"), $$"""
            {
              "channel_names": { {{names}} },
              {{labels}}
              "numTraining": {{train.Length}},
              "file_ending": ".nii.gz"
            }
            """);
        var geometry = ImageGeometry.FromSpacing([4, 4, 3], [1, 1, 1]);
        foreach (var (folder, ids) in new[] { ("imagesTr", train), ("imagesTs", test ?? []) })
        {
            foreach (var id in ids)
            {
                var images = Directory.CreateDirectory(Path.Combine(root.FullName, folder)).FullName;
                for (var c = 0; c < channels.Length; c++)
                {
                    NiftiFile.Write(Path.Combine(images, $"{id}_{c:D4}.nii.gz"), new Volume([.. Enumerable.Range(0, 48).Select(v => (float)(v + c))], geometry));
                }

                if (folder == "imagesTr")
                {
                    var labelsTr = Directory.CreateDirectory(Path.Combine(root.FullName, "labelsTr")).FullName;
                    NiftiFile.Write(Path.Combine(labelsTr, $"{id}.nii.gz"), new Volume([.. Enumerable.Range(0, 48).Select(v => (float)(v % 4 == 3 ? 0 : v % 4))], geometry), NiftiDataType.UInt8);
                }
            }
        }

        return root;
    }
}
