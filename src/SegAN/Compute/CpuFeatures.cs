namespace SegAN.Compute;

/// <summary>What the CPU can do, read from /proc/cpuinfo (Linux); bfloat16 paths are gated on it.</summary>
public static class CpuFeatures
{
    private static readonly Lazy<(string Model, HashSet<string> Flags)> Info = new(Read);

    /// <summary>The CPU's model name, or "unknown".</summary>
    public static string ModelName => Info.Value.Model;

    /// <summary>True when the CPU has AVX512-BF16 instructions (bf16 matrix products run natively).</summary>
    public static bool HasAvx512Bf16 => Info.Value.Flags.Contains("avx512_bf16");

    /// <summary>True when the CPU has AVX-512 Foundation.</summary>
    public static bool HasAvx512 => Info.Value.Flags.Contains("avx512f");

    private static (string, HashSet<string>) Read()
    {
        const string path = "/proc/cpuinfo";
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var model = "unknown";
        if (!File.Exists(path))
        {
            return (model, flags);
        }

        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "model name" && model == "unknown")
            {
                model = value;
            }
            else if (key == "flags" && flags.Count == 0)
            {
                flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return (model, flags);
    }
}
