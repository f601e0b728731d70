using SegAN.Imaging;

namespace SegAN.Tests.Imaging;

public sealed class AtomicFileTests
{
    [Fact]
    public void Write_Succeeds_LeavesOnlyTheTarget()
    {
        using var dir = new TempDir();
        var path = dir.File("out.bin");

        AtomicFile.Write(path, s => s.Write([1, 2, 3]));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Write_ThrowsMidway_KeepsTheOldFileAndNoTemp()
    {
        // Given an existing file
        using var dir = new TempDir();
        var path = dir.File("out.bin");
        File.WriteAllBytes(path, [9]);

        // When a write fails after writing some bytes
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write([1, 2, 3]);
            throw new InvalidOperationException("disk on fire");
        }));

        // Then the old content is intact and no temporary file remains
        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void WriteNew_RacingWriters_ExactlyOneWins_AndTheFileIsItsWhole()
    {
        // Given eight writers creating the same file at once, each with its own 64 KiB content
        using var dir = new TempDir();
        var path = dir.File("settings.json");
        var contents = Enumerable.Range(0, 8).Select(i => Enumerable.Repeat((byte)(i + 1), 1 << 16).ToArray()).ToArray();
        using var start = new Barrier(8);

        // When they all call WriteNew
        var won = new bool[8];
        var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            won[i] = AtomicFile.WriteNew(path, s => s.Write(contents[i]));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        // Then one returned true, the file holds exactly its content, and no temporary file remains
        var winner = Assert.Single(Enumerable.Range(0, 8), i => won[i]);
        Assert.Equal(contents[winner], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));

        // And a later WriteNew leaves it untouched
        Assert.False(AtomicFile.WriteNew(path, s => s.Write([0])));
        Assert.Equal(contents[winner], File.ReadAllBytes(path));
    }
}
