using SegAN.Experiments;

namespace SegAN.Tests.Experiments;

public sealed class ExperimentFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("segan-experiment-files-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // The committed phantom experiments' files, written before these records existed.
    private static string Committed(string name)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "SegAN.slnx")))
        {
            folder = folder.Parent;
        }

        return Path.Combine(folder?.FullName ?? throw new InvalidOperationException("repository root not found"), "docs", "experiment-phantoms", name);
    }

    [Fact]
    public void SplitFile_ReadAndWrittenAgain_GivesTheCommittedBytes()
    {
        // Given the committed experiment's split.json
        var committed = Committed(SplitFile.FileName);

        // When it is read and written again
        var copy = Path.Combine(_root, SplitFile.FileName);
        Assert.True(SplitFile.Read(committed).WriteNew(copy));

        // Then the bytes are the same (the hand-written writer it replaces wrote them)
        Assert.Equal(File.ReadAllBytes(committed), File.ReadAllBytes(copy));
    }

    [Fact]
    public void SettingsFile_ReadAndWrittenAgain_GivesTheCommittedBytes()
    {
        var committed = Committed(SettingsFile.FileName);
        var copy = Path.Combine(_root, SettingsFile.FileName);

        Assert.True(SettingsFile.Read(committed).WriteNew(copy));

        Assert.Equal(File.ReadAllBytes(committed), File.ReadAllBytes(copy));
    }

    [Fact]
    public void SplitFile_WithoutItsCaseLists_IsAnErrorNamingTheFile()
    {
        var path = Path.Combine(_root, SplitFile.FileName);
        File.WriteAllText(path, "{\"seed\": 0}");

        var e = Assert.Throws<SegANException>(() => SplitFile.Read(path));

        Assert.StartsWith($"{path}: unreadable split", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsFile_WriteNew_LeavesAnExistingFileAlone()
    {
        var path = Path.Combine(_root, SettingsFile.FileName);
        Assert.True(new SettingsFile("a").WriteNew(path));

        Assert.False(new SettingsFile("b").WriteNew(path));

        Assert.Equal("a", SettingsFile.Read(path).Settings);
    }
}
