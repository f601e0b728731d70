using SegAN.Cli;
using static SegAN.Tests.Cli.HostileCliFixture;

namespace SegAN.Tests.Cli;

/// <summary>
/// Issue 15, class 4: never overwrite an input. predict refuses to write over any file of the cases it reads (a
/// truth label map, an image), and synth refuses a folder that already holds files unless given --overwrite.
/// </summary>
[Collection(HostileCliCollection.Name)]
public sealed class InputProtectionCommandTests(HostileCliFixture fixture)
{
    [Fact]
    public void Predict_IntoACaseFolder_RefusesToReplaceItsTruth_AndWritesNothing()
    {
        // Given a case folder holding the case's truth, Phantom001_seg.nii.gz
        var data = fixture.CopyData("data-truth");
        var caseDir = Path.Combine(data, "Phantom001");
        var before = Snapshot(data);

        // When predict is asked to write into the case folder itself
        var result = Segan("predict", "-m", fixture.Model, "-i", caseDir, "-o", caseDir);

        // Then one line names the truth it would overwrite, exit 2, and no file of the dataset changed or appeared
        OneLineError(result, ExitCodes.Usage, "--out", Path.Combine(caseDir, "Phantom001_seg.nii.gz"), "truth label map");
        Assert.Equal(before, Snapshot(data));
    }

    [Fact]
    public void Predict_AnInputFileWhereItsPredictionWouldGo_IsRefused()
    {
        // Given one case as explicit files (named after its first file: Phantom002_t1ce), whose FLAIR sits in the
        // output folder under the name its prediction would take
        var data = fixture.CopyData("data-explicit");
        var caseDir = Path.Combine(data, "Phantom002");
        var output = Directory.CreateDirectory(Path.Combine(fixture.Root, "out-explicit")).FullName;
        var flair = Path.Combine(output, "Phantom002_t1ce_seg.nii.gz");
        File.Copy(Path.Combine(caseDir, "Phantom002_flair.nii.gz"), flair);
        var before = Snapshot(output);

        // When predict writes there
        var result = Segan(
            "predict", "-m", fixture.Model, "-o", output,
            "--modality", $"T1c={Path.Combine(caseDir, "Phantom002_t1ce.nii.gz")}",
            "--modality", $"T2={Path.Combine(caseDir, "Phantom002_t2.nii.gz")}",
            "--modality", $"FLAIR={flair}");

        // Then one line names the input it would overwrite, exit 2, and the folder is unchanged
        OneLineError(result, ExitCodes.Usage, "would overwrite", flair, "FLAIR image");
        Assert.Equal(before, Snapshot(output));
    }

    [Fact]
    public void Synth_IntoAnExistingDataset_IsRefused_UnlessOverwrite()
    {
        // Given an existing dataset
        var data = fixture.CopyData("data-synth");
        var before = Snapshot(data);

        // When synth writes into it without --overwrite, then it is refused and nothing changes
        OneLineError(Segan("synth", "--out", data, "--cases", "1", "--size", "32"), ExitCodes.Usage, "--out", "already holds files", "--overwrite");
        Assert.Equal(before, Snapshot(data));

        // And with --overwrite it writes
        Expect(ExitCodes.Ok, Segan("synth", "--out", data, "--cases", "1", "--size", "32", "--overwrite"));
        Assert.NotEqual(before, Snapshot(data));

        // And an existing empty folder needs no --overwrite
        var empty = Directory.CreateDirectory(Path.Combine(fixture.Root, "empty-synth")).FullName;
        Expect(ExitCodes.Ok, Segan("synth", "--out", empty, "--cases", "1", "--size", "32"));
    }
}
