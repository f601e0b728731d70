using SegAN.Data;
using SegAN.Imaging;

namespace SegAN.Tests.Data;

public sealed class CaseLoaderTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-loader-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void PrepareAll_TwoCustomModalities_DiscoveredAndPrepared()
    {
        // Given two cases with only T1c and FLAIR under custom names and a custom mask name
        var phantoms = Enumerable.Range(0, 2).Select(i => PhantomGenerator.Generate(new PhantomOptions(Size: 40, Seed: 8), i)).ToList();
        foreach (var p in phantoms)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_root.FullName, "site", "subject-" + p.Name));
            ImageFile.Write(Path.Combine(dir.FullName, "contrast.nii.gz"), p.T1c, NiftiDataType.Int16);
            ImageFile.Write(Path.Combine(dir.FullName, "darkfluid.nii.gz"), p.Flair, NiftiDataType.Float32);
            ImageFile.Write(Path.Combine(dir.FullName, "mask.nii.gz"), p.Segmentation, NiftiDataType.Float32);
        }

        var layout = new DatasetLayout([new("FLAIR", "darkfluid.nii*"), new("T1c", "contrast.nii*")], "mask.nii*", LabelConvention.Brats2021);

        // When
        var cases = DatasetDiscovery.Discover(_root, layout);
        var prepared = CaseLoader.PrepareAll(cases, layout.Labels, new PreprocessOptions(CropX: 48, CropY: 48, CropZ: 40));

        // Then both cases have 2 channels in the layout's order, and their labels come back exactly
        Assert.Equal(["subject-Phantom001", "subject-Phantom002"], prepared.Select(p => p.Name));
        Assert.All(cases, c => Assert.Equal("site", c.Group));
        Assert.All(prepared, p => Assert.Equal(["FLAIR", "T1c"], p.Modalities));
        Assert.Equal(2 * 40 * 48 * 48, prepared[0].Image.Length);
        Assert.Equal(phantoms[1].Segmentation.Data, prepared[1].RestoreLabels(prepared[1].Regions!).Data);
    }

    [Fact]
    public void PrepareSplit_PreparesBothSidesOfTheSeededSplit()
    {
        // Given three phantom cases
        var dir = new DirectoryInfo(Path.Combine(_root.FullName, "s"));
        PhantomGenerator.WriteDataset(dir, 3, new PhantomOptions(Size: 32, Seed: 4));

        // When
        var result = CaseLoader.PrepareSplit(dir, DatasetPresets.Layout(DatasetPreset.Brats2021), 6, new PreprocessOptions(CropX: 32, CropY: 32, CropZ: 32));

        // Then the prepared cases follow the split: two for training, one for validation
        Assert.Equal(result.Split.Train.Select(c => c.Name), result.Train.Select(p => p.Name));
        Assert.Equal(result.Split.Validation.Select(c => c.Name), result.Validation.Select(p => p.Name));
        Assert.Equal((2, 1), (result.Train.Count, result.Validation.Count));
        Assert.All(result.Train.Concat(result.Validation), p => Assert.NotNull(p.Regions));
    }

    [Fact]
    public void Load_ModalityOfOtherShape_NamesCaseAndFile()
    {
        // Given a case whose FLAIR has another shape
        var p = PhantomGenerator.Generate(new PhantomOptions(Size: 40), 0);
        var dir = Directory.CreateDirectory(Path.Combine(_root.FullName, "c1"));
        ImageFile.Write(Path.Combine(dir.FullName, "c1_t1ce.nii.gz"), p.T1c, NiftiDataType.Int16);
        ImageFile.Write(Path.Combine(dir.FullName, "c1_t2.nii.gz"), p.T2, NiftiDataType.Int16);
        var small = new Volume(new float[40 * 40 * 39], ImageGeometry.FromSpacing([40, 40, 39], [1, 1, 1]));
        var flair = Path.Combine(dir.FullName, "c1_flair.nii.gz");
        ImageFile.Write(flair, small, NiftiDataType.Int16);
        ImageFile.Write(Path.Combine(dir.FullName, "c1_seg.nii.gz"), p.Segmentation, NiftiDataType.UInt8);
        var files = DatasetDiscovery.Discover(_root, DatasetPresets.Layout(DatasetPreset.Brats2021)).Single();

        // When / Then
        var e = Assert.Throws<SegANException>(() => CaseLoader.Load(files));
        Assert.Contains("case c1", e.Message, StringComparison.Ordinal);
        Assert.Contains(flair, e.Message, StringComparison.Ordinal);
        Assert.Contains("40x40x39", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_2023LabelsReadAs2021_IsAnErrorNamingTheSegFile()
    {
        // Given a BraTS 2023 phantom (enhancing = 3) declared as brats2021 (MONAI's old ET = 4 assumption)
        var dir = new DirectoryInfo(Path.Combine(_root.FullName, "d"));
        PhantomGenerator.WriteDataset(dir, 1, new PhantomOptions(Size: 40, Labels: LabelConvention.Brats2023));
        var layout = DatasetPresets.Layout(DatasetPreset.Brats2023) with { Labels = LabelConvention.Brats2021 };
        var files = DatasetDiscovery.Discover(dir, layout).Single();

        // When / Then the label 3 is rejected with the file, the value and the convention
        var e = Assert.Throws<SegANException>(() => CaseLoader.PrepareAll([files], layout.Labels, PreprocessOptions.Paper));
        Assert.Contains(files.SegFile!, e.Message, StringComparison.Ordinal);
        Assert.Contains("label 3 ", e.Message, StringComparison.Ordinal);
        Assert.Contains("brats2021", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_PhantomOnPaperGrid_RestoresLabelsExactly_AndCentresTheBrain()
    {
        // Given a 96^3 phantom (smaller than 180 x 180 x 128: padded on every axis)
        var dir = new DirectoryInfo(Path.Combine(_root.FullName, "e"));
        PhantomGenerator.WriteDataset(dir, 1, new PhantomOptions(Size: 96, Seed: 2));
        var files = DatasetDiscovery.Discover(dir, DatasetPresets.Layout(DatasetPreset.Brats2021)).Single();

        // When
        var prepared = CaseLoader.Prepare(files, LabelConvention.Brats2021, PreprocessOptions.Paper);

        // Then the grid is the paper's, the window pads evenly and restoring gives the label map back
        Assert.Equal((128, 180, 180, 3), (prepared.Depth, prepared.Height, prepared.Width, prepared.Channels));
        Assert.Equal((-42, -42, -16), (prepared.Window.X0, prepared.Window.Y0, prepared.Window.Z0));
        var seg = ImageFile.Read(files.SegFile!);
        Assert.Equal(seg.Data, prepared.RestoreLabels(prepared.Regions!).Data);
        Assert.False(prepared.SliceHasBrain[0]);
        Assert.True(prepared.SliceHasBrain[64]);

        // And perfect centre-crop outputs (the targets themselves) give the label map back too: the 96^3 head
        // lies inside the central 160 x 160 of the 180 x 180 grid
        Assert.Equal(seg.Data, prepared.LabelsFromCentreCrops(SliceCrop.CentreTargets(prepared)).Data);
    }
}
