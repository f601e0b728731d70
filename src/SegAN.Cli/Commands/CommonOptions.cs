using System.CommandLine;

namespace SegAN.Cli.Commands;

/// <summary>Options every compute command shares, declared once so their help and defaults agree.</summary>
internal static class CommonOptions
{
    public static Option<string> Device() => new("--device")
    {
        Description = "Where to compute: auto (CUDA when available, else CPU), cpu, cuda or cuda:N. Default: auto.",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "CPU threads for libtorch; 0 uses one per core. Default: 0.",
        DefaultValueFactory = _ => 0,
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print machine-readable JSON instead of a table.",
    };
}
