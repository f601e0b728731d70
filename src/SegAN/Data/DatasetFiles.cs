using System.IO.Enumeration;

namespace SegAN.Data;

/// <summary>
/// The one walk over a dataset folder that discovery, preset detection and evaluation share: every file below the
/// root (hidden files and folders skipped: a server's upload store, .git), never entering a linked folder, so that a link loop (<c>loop -&gt; .</c>) cannot
/// multiply cases and a link to <c>/</c> cannot take the walk out of the dataset. Linked files are listed (their
/// readers check what they hold); linked folders are not followed.
/// </summary>
public static class DatasetFiles
{
    /// <summary>Full paths of the files under <paramref name="root"/>, sorted ordinally.</summary>
    public static IReadOnlyList<string> Enumerate(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
            ReturnSpecialDirectories = false,
        };
        var files = new FileSystemEnumerable<string>(root, (ref FileSystemEntry entry) => entry.ToFullPath(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && !entry.FileName.StartsWith('.'),
            ShouldRecursePredicate = (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0 && !entry.FileName.StartsWith('.'),
        };
        return [.. files.Order(StringComparer.Ordinal)];
    }
}
