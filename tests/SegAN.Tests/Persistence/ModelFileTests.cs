using System.Text.Json;
using SegAN.Models;
using SegAN.Persistence;
using TorchSharp;

namespace SegAN.Tests.Persistence;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segan-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly SegANArchitecture Arch = new(Variant.S3_3C, 2, Depth: 2, BaseWidth: 4);

    private string SaveOne(out RegionSegmentor net)
    {
        torch.random.manual_seed(4);
        net = new RegionSegmentor(Arch);
        var path = Path.Combine(_dir, ModelFile.FileName);
        using var prep = JsonDocument.Parse("""{"crop":[16,16],"normalise":"zscore"}""");
        ModelFile.Save(path, net, new ModelMetadata(["flair", "t1ce"], "phantom", prep.RootElement.Clone(), Step: 7, ValidationDice: 0.5));
        return path;
    }

    [Fact]
    public void ModelFile_RoundTrips_WeightsAndMetadata()
    {
        // Given a saved network
        var path = SaveOne(out var net);
        using (net)
        using (var scope = torch.NewDisposeScope())
        {
            net.eval();
            var x = torch.randn(2, 2, 16, 16);
            var expected = net.forward(x);

            // When it is loaded
            using var loaded = ModelFile.Load(path, expectedModalities: ["FLAIR", "t1ce"]);

            // Then it predicts the same and carries the metadata
            Assert.Equal(0f, (loaded.Segmentor.forward(x) - expected).abs().max().item<float>());
            Assert.Equal(Arch, loaded.Header.Architecture);
            Assert.Equal(new[] { "flair", "t1ce" }, loaded.Header.Modalities);
            Assert.Equal("phantom", loaded.Header.LabelConvention);
            Assert.Equal("zscore", loaded.Header.Preprocessing!.Value.GetProperty("normalise").GetString());
            Assert.Equal(7, loaded.Header.Step);
            Assert.Equal(ModelFile.FormatVersion, loaded.Header.FormatVersion);
        }
    }

    [Fact]
    public void Load_WithOtherModalities_IsAClearError()
    {
        var path = SaveOne(out var net);
        net.Dispose();

        var e = Assert.Throws<SegANException>(() => ModelFile.Load(path, expectedModalities: ["t1", "t1ce", "t2", "flair"]));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("2 modalities", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadInto_ANetworkOfAnotherArchitecture_IsAClearError()
    {
        var path = SaveOne(out var net);
        net.Dispose();
        using var other = new RegionSegmentor(Arch with { Variant = Variant.S1_1C });

        var e = Assert.Throws<SegANException>(() => ModelFile.LoadInto(path, other));

        Assert.Contains("architecture", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenWeightsDoNotMatchTheHeader_IsAClearError()
    {
        // Given a file whose header claims depth 3 but whose weights are of a depth-2 network
        using var net = new RegionSegmentor(Arch);
        var path = Path.Combine(_dir, "bad.segan");
        var header = new ModelHeader(1, Arch with { Depth = 3 }, ["flair", "t1ce"], "phantom", null, 0, null, DateTimeOffset.UtcNow);
        SegANContainer.Write(path, 'M', 1, JsonSerializer.Serialize(header, JsonDefaults.Indented), w => SegANContainer.WriteBlob(w, s => net.save(s)));

        var e = Assert.Throws<SegANException>(() => ModelFile.Load(path));

        Assert.Contains("do not match", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OfAFileThatIsNotAModel_IsAClearError()
    {
        var path = Path.Combine(_dir, "notes.segan");
        File.WriteAllText(path, "hello, not a model");

        var e = Assert.Throws<SegANException>(() => ModelFile.ReadHeader(path));

        Assert.Contains("not a SegAN.NET file", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_LeavesNoTemporaryFile()
    {
        SaveOne(out var net);
        net.Dispose();

        Assert.Equal(new[] { ModelFile.FileName }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }
}
