using SegAN.Data;

namespace SegAN.Tests.Data;

public sealed class DatasetDiscoveryTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("segan-discovery-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData("a_t1.nii.gz", "*_t1.nii.gz", true)]
    [InlineData("a_t1ce.nii.gz", "*_t1.nii.gz", false)]
    [InlineData("a_t1ce.nii.gz", "*_t1ce.nii.gz", true)]
    [InlineData("VSD.Brain.XX.O.MR_T1c.54513.mha", "*.MR_T1.*.mha", false)]
    [InlineData("VSD.Brain.XX.O.MR_T1.54512.mha", "*.MR_T1.*.mha", true)]
    [InlineData("VSD.Brain_3more.XX.O.OT.54517.mha", "*.OT.*.mha", true)]
    [InlineData("CASE_FLAIR.NII.GZ", "*_flair.nii.gz", true)]
    [InlineData("ab", "a?", true)]
    [InlineData("abc", "a?", false)]
    public void FileNamePattern_MatchesWholeName(string name, string pattern, bool expected) =>
        Assert.Equal(expected, FileNamePattern.IsMatch(name, pattern));

    [Fact]
    public void Discover_Brats2021Layout_FindsPaperModalitiesInChannelOrder_WithGroups()
    {
        // Given HGG and LGG folders with two cases each
        foreach (var c in new[] { "HGG/B", "HGG/A", "LGG/C", "LGG/D" })
        {
            Case2021(c);
        }

        // When the preset is detected and the cases discovered
        var preset = DatasetPresets.Detect(_root);
        var cases = DatasetDiscovery.Discover(_root, DatasetPresets.Layout(preset!.Value));

        // Then the case order is by path, the groups are remembered, and T1c, T2, FLAIR come in that order
        Assert.Equal(DatasetPreset.Brats2021, preset);
        Assert.Equal(["A", "B", "C", "D"], cases.Select(c => c.Name));
        Assert.Equal(["HGG", "HGG", "LGG", "LGG"], cases.Select(c => c.Group));
        Assert.Equal(["A_t1ce.nii.gz", "A_t2.nii.gz", "A_flair.nii.gz"], cases[0].ModalityFiles.Select(Path.GetFileName));
        Assert.Equal(["T1c", "T2", "FLAIR"], cases[0].Modalities);
        Assert.Equal("A_seg.nii.gz", Path.GetFileName(cases[0].SegFile));
    }

    [Fact]
    public void Discover_Brats2015Layout_SearchesSubfoldersOfEachCase()
    {
        // Given BraTS 2015 cases whose .mha files each sit in a folder of their own
        foreach (var c in new[] { "brats_2013_pat0001_1", "brats_tcia_pat105_1" })
        {
            foreach (var (m, id) in new[] { ("MR_T1", 1), ("MR_T1c", 2), ("MR_T2", 3), ("MR_Flair", 4) })
            {
                Touch($"HGG/{c}/VSD.Brain.XX.O.{m}.5451{id}/VSD.Brain.XX.O.{m}.5451{id}.mha");
            }

            Touch($"HGG/{c}/VSD.Brain_3more.XX.O.OT.54517/VSD.Brain_3more.XX.O.OT.54517.mha");
        }

        // When
        var preset = DatasetPresets.Detect(_root);
        var layout = DatasetPresets.Layout(preset!.Value);
        var cases = DatasetDiscovery.Discover(_root, layout);

        // Then each case folder is a case, with brats2015 labels
        Assert.Equal(DatasetPreset.Brats2015, preset);
        Assert.Equal(LabelConvention.Brats2015, layout.Labels);
        Assert.Equal(["brats_2013_pat0001_1", "brats_tcia_pat105_1"], cases.Select(c => c.Name));
        Assert.All(cases, c => Assert.Equal("HGG", c.Group));
        Assert.EndsWith("MR_T1c.54512.mha", cases[0].ModalityFiles[0], StringComparison.Ordinal);
        Assert.EndsWith("OT.54517.mha", cases[1].SegFile, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_Brats2023Names()
    {
        Touch("BraTS-GLI-00000-000/BraTS-GLI-00000-000-t2f.nii.gz");
        Assert.Equal(DatasetPreset.Brats2023, DatasetPresets.Detect(_root));
    }

    [Fact]
    public void Discover_TwoCustomModalities_WithoutSeg()
    {
        // Given cases with two modalities under custom names and no segmentation
        Touch("p1/p1_pre.nii.gz");
        Touch("p1/p1_post.nii.gz");
        Touch("p2/p2_pre.nii.gz");
        Touch("p2/p2_post.nii.gz");
        var layout = new DatasetLayout([new("post", "*_post.nii.gz"), new("pre", "*_pre.nii.gz")], null, LabelConvention.Brats2021);

        // When
        var cases = DatasetDiscovery.Discover(_root, layout, requireLabels: false);

        // Then
        Assert.Equal(["p1", "p2"], cases.Select(c => c.Name));
        Assert.Equal(["p2_post.nii.gz", "p2_pre.nii.gz"], cases[1].ModalityFiles.Select(Path.GetFileName));
        Assert.Null(cases[1].SegFile);
        Assert.Null(cases[1].Group);
    }

    [Fact]
    public void Discover_MissingModality_NamesCaseAndPattern()
    {
        // Given case B lacks its FLAIR
        Case2021("A");
        Case2021("B");
        File.Delete(Path.Combine(_root.FullName, "B", "B_flair.nii.gz"));

        // When / Then
        var e = Assert.Throws<SegANException>(() => DatasetDiscovery.Discover(_root, DatasetPresets.Layout(DatasetPreset.Brats2021)));
        Assert.Contains("case B", e.Message, StringComparison.Ordinal);
        Assert.Contains("FLAIR", e.Message, StringComparison.Ordinal);
        Assert.Contains("*_flair.nii.gz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Discover_AmbiguousModality_NamesBothFiles()
    {
        Case2021("A");
        Case2021("B");
        Touch("B/old/B2_t2.nii.gz");

        var e = Assert.Throws<SegANException>(() => DatasetDiscovery.Discover(_root, DatasetPresets.Layout(DatasetPreset.Brats2021)));
        Assert.Contains("case B", e.Message, StringComparison.Ordinal);
        Assert.Contains("B2_t2.nii.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains("B_t2.nii.gz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Discover_IgnoresHiddenFiles()
    {
        // Given a macOS resource fork beside a real file
        Case2021("A");
        Touch("A/._A_t1ce.nii.gz");

        // When / Then the case is not ambiguous
        Assert.EndsWith("A_t1ce.nii.gz", DatasetDiscovery.Discover(_root, DatasetPresets.Layout(DatasetPreset.Brats2021)).Single().ModalityFiles[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Discover_IgnoresHiddenFolders_SuchAsAServersUploadStore()
    {
        // Given a case and a hidden folder holding two images whose names match the layout (segan serve's uploads)
        Case2021("A");
        Touch(".segan-uploads/X_t1ce.nii.gz");
        Touch(".segan-uploads/Y_t1ce.nii.gz");

        // When / Then only the case is found, and the preset is detected from it alone
        Assert.Equal(["A"], DatasetDiscovery.Discover(_root, DatasetPresets.Layout(DatasetPreset.Brats2021)).Select(c => c.Name));
        Assert.Equal(DatasetPreset.Brats2021, DatasetPresets.Detect(_root));
    }

    [Fact]
    public void Discover_MissingSegmentation_IsAnError_OnlyWhenLabelsAreRequired()
    {
        Case2021("A");
        Case2021("B");
        File.Delete(Path.Combine(_root.FullName, "A", "A_seg.nii.gz"));
        var layout = DatasetPresets.Layout(DatasetPreset.Brats2021);

        var e = Assert.Throws<SegANException>(() => DatasetDiscovery.Discover(_root, layout));
        Assert.Contains("case A", e.Message, StringComparison.Ordinal);
        Assert.Null(DatasetDiscovery.Discover(_root, layout, requireLabels: false)[0].SegFile);
    }

    [Fact]
    public void Layout_RoundTripsThroughJson_ForRunOptionFiles()
    {
        var layout = DatasetPresets.Layout(DatasetPreset.Brats2023, ["FLAIR", "T1c"]);

        var json = System.Text.Json.JsonSerializer.Serialize(layout);
        var back = System.Text.Json.JsonSerializer.Deserialize<DatasetLayout>(json);

        Assert.Equal(layout, back);
        Assert.Equal(["FLAIR", "T1c"], back!.ModalityNames);
    }

    [Fact]
    public void Layout_UnknownPresetModality_IsAnError()
    {
        var e = Assert.Throws<SegANException>(() => DatasetPresets.Layout(DatasetPreset.Brats2023, ["T1c", "DWI"]));
        Assert.Contains("DWI", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFiles_MissingFile_IsAnError()
    {
        Touch("x_t1.nii.gz");
        var present = Path.Combine(_root.FullName, "x_t1.nii.gz");
        var absent = Path.Combine(_root.FullName, "x_t2.nii.gz");

        var e = Assert.Throws<SegANException>(() => CaseFiles.FromFiles(["T1", "T2"], [present, absent]));
        Assert.Contains(absent, e.Message, StringComparison.Ordinal);
        Assert.Equal("x_t1", CaseFiles.FromFiles(["T1"], [present]).Name);
    }

    private void Case2021(string relative)
    {
        var name = Path.GetFileName(relative);
        foreach (var suffix in new[] { "t1", "t1ce", "t2", "flair", "seg" })
        {
            Touch($"{relative}/{name}_{suffix}.nii.gz");
        }
    }

    private void Touch(string relative)
    {
        var path = Path.Combine(_root.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }
}
