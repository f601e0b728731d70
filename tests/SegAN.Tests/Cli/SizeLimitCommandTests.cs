using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using SegAN.Cli;
using SegAN.Persistence;
using static SegAN.Tests.Cli.HostileCliFixture;

namespace SegAN.Tests.Cli;

/// <summary>
/// Issue 15, class 2 through the commands: options and model headers that would need gigabytes are refused in
/// milliseconds, before anything is built, with one line and exit code 2; the ceiling is raised or lowered per run.
/// </summary>
[Collection(HostileCliCollection.Name)]
public sealed class SizeLimitCommandTests(HostileCliFixture fixture)
{
    [Fact]
    public void Train_AHugeCropOrBatch_IsRefusedBeforeLoadingAnything()
    {
        var run = Path.Combine(fixture.Root, "huge-run");

        OneLineError(Segan("train", "--data", fixture.Data, "--out", run, "--crop", "100000x100000x100000"), ExitCodes.Usage, "--crop", "100000x100000x100000", "over the limit");
        OneLineError(Segan("train", "--data", fixture.Data, "--out", run, "--batch", "100000"), ExitCodes.Usage, "--batch, --max-voxels: batch size 100000", "over the limit");
        OneLineError(Segan("train", "--data", fixture.Data, "--out", run, "--crop", "99999999999x2x2"), ExitCodes.Usage, "--crop");
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Model_AHeaderClaimingWidth1024AndDepth8_IsRefusedBeforeTheNetIsBuilt()
    {
        // Given the tiny model with its header rewritten to claim width 1024 and depth 8 (hundreds of GB of weights)
        var path = Path.Combine(fixture.Root, "claims.segan");
        File.WriteAllBytes(path, WithArchitecture(File.ReadAllBytes(fixture.Model), depth: 8, width: 1024));
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var before = self.WorkingSet64;

        // When it is loaded, by the library, predict and export
        var e = Assert.Throws<SegANException>(() => ModelFile.Load(path));
        OneLineError(Segan("predict", "-m", path, "-i", fixture.Data, "-o", Path.Combine(fixture.Root, "never")), ExitCodes.Usage, path, "depth 8, width 1024", "the file holds");
        OneLineError(Segan("export", "-m", path, "-o", Path.Combine(fixture.Root, "never.onnx")), ExitCodes.Usage, path, "the file holds");

        // Then each refuses it, naming the file, without building the network
        Assert.Contains("needs at least", e.Message, StringComparison.Ordinal);
        self.Refresh();
        Assert.True(self.WorkingSet64 - before < 512L << 20, $"working set grew by {(self.WorkingSet64 - before) >> 20} MiB");
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "never")));
        Assert.False(File.Exists(Path.Combine(fixture.Root, "never.onnx")));
    }

    [Fact]
    public void MaxVoxels_LowersTheCeilingForOneRun_AndAMalformedValueIsUsage()
    {
        // The 32^3 phantoms are over a ceiling of 1000 voxels, and fine under the default
        OneLineError(Segan("dataset", fixture.Data, "--check", "--max-voxels", "1000"), ExitCodes.Usage, "32768 voxels, over the limit of 1000", "--max-voxels");
        Expect(ExitCodes.Ok, Segan("dataset", fixture.Data, "--check"));
        Expect(ExitCodes.Usage, Segan("dataset", fixture.Data, "--max-voxels", "lots"));
        Expect(ExitCodes.Usage, Segan("dataset", fixture.Data, "--max-voxels", "0"));
    }

    // The container is "SEGAN", a kind byte, an int32 version, an int32 header length, the JSON header, the payload.
    private static byte[] WithArchitecture(byte[] model, int depth, int width)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(model.AsSpan(10));
        var header = JsonNode.Parse(Encoding.UTF8.GetString(model, 14, length))!;
        header["architecture"]!["depth"] = depth;
        header["architecture"]!["base_width"] = width;
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var result = new byte[14 + json.Length + (model.Length - 14 - length)];
        model.AsSpan(0, 10).CopyTo(result);
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(10), json.Length);
        json.CopyTo(result, 14);
        model.AsSpan(14 + length).CopyTo(result.AsSpan(14 + json.Length));
        return result;
    }
}
