using SegAN.Experiments;

namespace SegAN.Tests.Experiments;

public sealed class ExperimentResultsFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("segan-experiment-results-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // The committed phantom experiments' results.json, written by the hand-coded Utf8JsonWriter this record replaces.
    private static string Committed(string experiment)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "SegAN.slnx")))
        {
            folder = folder.Parent;
        }

        return Path.Combine(
            folder?.FullName ?? throw new InvalidOperationException("repository root not found"), "docs", experiment, ExperimentResultsFile.FileName);
    }

    [Theory]
    [InlineData("experiment-phantoms")]
    [InlineData("experiment-phantoms-pure")]
    public void ExperimentResultsFile_ReadAndWrittenAgain_GivesTheCommittedBytes(string experiment)
    {
        // Given a committed experiment's results.json
        var committed = Committed(experiment);

        // When it is read and written again
        var copy = Path.Combine(_root, ExperimentResultsFile.FileName);
        ExperimentResultsFile.Read(committed).Write(copy);

        // Then the bytes are the same
        Assert.Equal(File.ReadAllBytes(committed), File.ReadAllBytes(copy));
    }

    [Fact]
    public void ExperimentResultsFile_KeepsRunsScoresAndMessages()
    {
        var results = ExperimentResultsFile.Read(Committed("experiment-phantoms-pure"));

        Assert.NotEmpty(results.Variants);
        Assert.Equal(["WT", "TC", "ET"], results.Variants[0].Regions.Keys);
        Assert.Contains(results.Runs, r => r.Test is { Count: 3 });
    }

    [Fact]
    public void ExperimentResultsFile_OptionalFields_AreWrittenWhereTheOldWriterPutThemAndReadBack()
    {
        // Given results with a failed run (a message, no scores, no time) and a region with lesion-wise statistics
        var committed = ExperimentResultsFile.Read(Committed("experiment-phantoms"));
        var lesions = new ResultsStatistic(0.5, null);
        var region = new ResultsRegion(lesions, lesions, lesions, lesions, lesions);
        var variant = committed.Variants[0] with { Regions = new Dictionary<string, ResultsRegion> { ["WT"] = region } };
        var results = committed with
        {
            Variants = [variant],
            Runs = [new ResultsRun("s1", 0, "failed", "runs/s1/seed-0", null, "boom")],
        };

        // When they are written, read and written again
        var path = Path.Combine(_root, ExperimentResultsFile.FileName);
        results.Write(path);
        var text = File.ReadAllText(path);
        var again = Path.Combine(_root, "again.json");
        ExperimentResultsFile.Read(path).Write(again);

        // Then the message follows the training time, the lesion-wise pair follows sensitivity, and nothing changes
        Assert.Contains("\"train_seconds\": null,\n      \"message\": \"boom\"\n    }", text, StringComparison.Ordinal);
        Assert.Contains("\"sensitivity\": {\n            \"mean\": 0.5,\n            \"std\": null\n          },\n          \"lesion_dice\": {", text, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void ExperimentResultsFile_NotResults_IsAnErrorNamingTheFile()
    {
        var path = Path.Combine(_root, ExperimentResultsFile.FileName);
        File.WriteAllText(path, "{\"merged\": true}");

        var e = Assert.Throws<SegANException>(() => ExperimentResultsFile.Read(path));

        Assert.StartsWith($"{path}: unreadable experiment results", e.Message, StringComparison.Ordinal);
    }
}
