namespace SegAN.Data;

/// <summary>
/// A glob on file names (not paths): <c>*</c> matches any run of characters, <c>?</c> one character, the rest
/// literally and case-insensitively. The whole name must match, so <c>*_t1.nii.gz</c> does not match
/// <c>x_t1ce.nii.gz</c>.
/// </summary>
public static class FileNamePattern
{
    /// <summary>Whether <paramref name="fileName"/> matches <paramref name="pattern"/> in full.</summary>
    public static bool IsMatch(string fileName, string pattern)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(pattern);

        // Iterative wildcard matching with backtracking to the last star: linear in practice, no regex escaping.
        int n = 0, p = 0, star = -1, resume = 0;
        while (n < fileName.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(fileName[n])))
            {
                n++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
