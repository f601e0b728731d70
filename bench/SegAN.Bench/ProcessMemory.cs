using System.Globalization;

namespace SegAN.Bench;

/// <summary>Resident memory of this process from /proc/self/status (Linux; NaN elsewhere).</summary>
internal static class ProcessMemory
{
    /// <summary>Current resident set (VmRSS), MiB.</summary>
    public static double ResidentMiB() => ReadKiB("VmRSS:") / 1024.0;

    /// <summary>Peak resident set since start or the last <see cref="ResetPeak"/> (VmHWM), MiB.</summary>
    public static double PeakMiB() => ReadKiB("VmHWM:") / 1024.0;

    /// <summary>Resets VmHWM to the current resident set (writing 5 to clear_refs), so a section's own peak can be read.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double ReadKiB(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return double.NaN;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return double.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }
}
