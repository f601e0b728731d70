using System.CommandLine;

namespace SegAN.Cli.Commands;

/// <summary>
/// Options every compute command shares, declared once so their help and defaults agree, and the three ways a
/// command declares its own: required, with a default, or optional (its type's default: off, none).
/// </summary>
internal static class CommonOptions
{
    public static Option<T> Required<T>(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        Required = true,
    };

    public static Option<T> Defaulted<T>(string name, T defaultValue, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<T> Optional<T>(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
    };

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

/// <summary>
/// An option whose value is one of a fixed set of names, typed as the enum it stands for: the parser refuses any
/// other name (listing the allowed ones), the help and shell completion list them, and commands receive the enum.
/// </summary>
internal static class ChoiceOption
{
    /// <summary>
    /// The option <paramref name="name"/> taking one of <paramref name="choices"/> (case-insensitive), or one of
    /// <paramref name="aliases"/>: older spellings that keep working but are not listed in the help or the error.
    /// </summary>
    public static Option<T> Create<T>(string name, string description, T defaultValue, IReadOnlyList<(string Name, T Value)> choices, IReadOnlyList<(string Name, T Value)>? aliases = null)
    {
        var allowed = string.Join(", ", choices.Select(c => c.Name));
        IReadOnlyList<(string Name, T Value)> accepted = [.. choices, .. aliases ?? []];
        var option = new Option<T>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            HelpName = string.Join("|", choices.Select(c => c.Name)),
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0)
                {
                    return defaultValue;
                }

                var text = result.Tokens[^1].Value;
                foreach (var (choice, value) in accepted)
                {
                    if (string.Equals(choice, text.Trim(), StringComparison.OrdinalIgnoreCase))
                    {
                        return value;
                    }
                }

                result.AddError($"{name} '{text}' is not one of {allowed}.");
                return defaultValue;
            },
        };
        option.CompletionSources.Clear(); // an enum's member names (S3_3C), which the parser refuses
        option.CompletionSources.Add([.. choices.Select(c => c.Name)]);
        return option;
    }

    /// <summary>As <see cref="Create{T}"/>, for an option that must be given (it has no default).</summary>
    public static Option<T> Required<T>(string name, string description, IReadOnlyList<(string Name, T Value)> choices)
        where T : struct
    {
        var option = Create(name, description, default(T), choices);
        option.DefaultValueFactory = null; // a default would satisfy Required
        option.Required = true;
        return option;
    }

    /// <summary>As <see cref="Create{T}"/>, for an option that may be left out: null when it is.</summary>
    public static Option<T?> Optional<T>(string name, string description, IReadOnlyList<(string Name, T Value)> choices, IReadOnlyList<(string Name, T Value)>? aliases = null)
        where T : struct =>
        Create<T?>(name, description, null, Nullable(choices), aliases is null ? null : Nullable(aliases));

    private static (string Name, T? Value)[] Nullable<T>(IReadOnlyList<(string Name, T Value)> choices)
        where T : struct => [.. choices.Select(c => (c.Name, (T?)c.Value))];
}
