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
}
