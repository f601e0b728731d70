using System.Globalization;

namespace SegAN.Distributed;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (0-based) of a batch job: which of the sorted case names this
/// process handles. The partition is round-robin over the names sorted ordinally (shard K takes names K, K+N,
/// K+2N, ...), so that every shard gets at most one case more than another and shards stay balanced when the
/// sorted order correlates with case size (names grouped by site or scanner). It depends only on the set of names,
/// never on the file system's listing order, so every task of an array computes the same partition.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    /// <summary>Slurm job arrays: the task's id.</summary>
    public const string SlurmTaskIdVariable = "SLURM_ARRAY_TASK_ID";

    /// <summary>Slurm job arrays: the number of tasks.</summary>
    public const string SlurmTaskCountVariable = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>Slurm job arrays: the smallest task id (ids start at 1 with <c>--array=1-4</c>).</summary>
    public const string SlurmTaskMinVariable = "SLURM_ARRAY_TASK_MIN";

    /// <summary>Slurm job arrays: the step between task ids (<c>--array=0-6:2</c>).</summary>
    public const string SlurmTaskStepVariable = "SLURM_ARRAY_TASK_STEP";

    /// <summary>Kubernetes Indexed Jobs: the pod's completion index (0 to completions - 1).</summary>
    public const string KubernetesIndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>The whole job in one process.</summary>
    public static ShardSpec Whole { get; } = new(0, 1);

    /// <summary>True when this is the only shard.</summary>
    public bool IsWhole => Count == 1;

    /// <summary>
    /// Parses <c>K/N</c> (0 &lt;= K &lt; N), e.g. <c>2/8</c>. Throws a <see cref="SegANException"/> that names the text and
    /// the problem.
    /// </summary>
    public static ShardSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw new SegANException(Setting.Shard, $"shard '{text}': expected K/N with whole numbers, e.g. 0/4 for the first of four shards.");
        }

        return Create(index, count, $"shard '{text}'");
    }

    /// <summary>
    /// The shard of this process, from (first match wins): <paramref name="shard"/> (<c>--shard K/N</c>); a Slurm
    /// job array's <c>SLURM_ARRAY_TASK_ID</c> (minus <c>SLURM_ARRAY_TASK_MIN</c>, divided by
    /// <c>SLURM_ARRAY_TASK_STEP</c>) with <c>SLURM_ARRAY_TASK_COUNT</c> or <paramref name="shards"/>; a Kubernetes
    /// Indexed Job's <c>JOB_COMPLETION_INDEX</c> with <paramref name="shards"/> (<c>--shards N</c>, which must equal
    /// the Job's completions); <c>--shards 1</c> alone is <see cref="Whole"/>. Without any of them: null (no sharding
    /// requested). <paramref name="environment"/> reads a variable (null when unset); tests pass a dictionary, the
    /// CLI <see cref="Environment.GetEnvironmentVariable(string)"/>.
    /// </summary>
    public static ShardSpec? Resolve(string? shard, int? shards, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (shard is not null)
        {
            var spec = Parse(shard);
            if (shards is not null && shards != spec.Count)
            {
                throw new SegANException([Setting.Shard, Setting.Shards], $"shard {shard} and number of shards {shards} disagree on the number of shards; give one of them.");
            }

            return spec;
        }

        if (shards is < 1)
        {
            throw new SegANException(Setting.Shards, $"number of shards {shards} must be at least 1.");
        }

        var slurmId = environment(SlurmTaskIdVariable);
        if (!string.IsNullOrWhiteSpace(slurmId))
        {
            var id = Integer(SlurmTaskIdVariable, slurmId);
            var min = Integer(SlurmTaskMinVariable, environment(SlurmTaskMinVariable) ?? "0");
            var step = Integer(SlurmTaskStepVariable, environment(SlurmTaskStepVariable) ?? "1");
            var countText = environment(SlurmTaskCountVariable);
            var count = shards ?? (countText is null
                ? throw new SegANException(Setting.Shards, $"{SlurmTaskIdVariable} is {id} but {SlurmTaskCountVariable} is not set; give the number of shards (array tasks).")
                : Integer(SlurmTaskCountVariable, countText));
            if (step < 1 || (id - min) % step != 0)
            {
                throw new SegANException($"{SlurmTaskIdVariable} {id} is not on the array's grid (min {min}, step {step}).");
            }

            return Create((id - min) / step, count, $"Slurm array task {id} (min {min}, step {step}) of {count}");
        }

        var k8sIndex = environment(KubernetesIndexVariable);
        if (!string.IsNullOrWhiteSpace(k8sIndex))
        {
            var index = Integer(KubernetesIndexVariable, k8sIndex);
            if (shards is null)
            {
                throw new SegANException(Setting.Shards, $"{KubernetesIndexVariable} is {index} but the number of shards is unknown; give the number of shards, equal to the Indexed Job's completions.");
            }

            return Create(index, shards.Value, $"{KubernetesIndexVariable} {index} of {shards} shards");
        }

        return shards switch
        {
            null => null,
            1 => Whole,
            _ => throw new SegANException([Setting.Shards, Setting.Shard], $"number of shards {shards} needs the shard's index: run it as a Slurm array task ({SlurmTaskIdVariable}) or a Kubernetes Indexed Job ({KubernetesIndexVariable}), or give the shard as K/{shards}."),
        };
    }

    /// <summary>
    /// This shard's names: the distinct names sorted ordinally, every <see cref="Count"/>-th from position
    /// <see cref="Index"/>. Throws a <see cref="SegANException"/> on duplicate names (two inputs would write one output).
    /// </summary>
    public IReadOnlyList<string> Select(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var sorted = names.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i], sorted[i - 1], StringComparison.Ordinal))
            {
                throw new SegANException($"case name '{sorted[i]}' occurs twice; shards need unique names.");
            }
        }

        return [.. sorted.Where((_, i) => i % Count == Index)];
    }

    /// <summary>This shard's items, named by <paramref name="name"/>, in the sorted order of <see cref="Select(IEnumerable{string})"/>.</summary>
    public IReadOnlyList<T> Select<T>(IReadOnlyList<T> items, Func<T, string> name)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(name);
        var byName = items.ToDictionary(name, StringComparer.Ordinal);
        return [.. Select(items.Select(name)).Select(n => byName[n])];
    }

    /// <summary>The machine-readable failure list of this shard: <c>failures-shard-K-of-N.json</c>.</summary>
    public string FailuresFileName => string.Create(CultureInfo.InvariantCulture, $"failures-shard-{Index}-of-{Count}.json");

    /// <summary><c>K/N</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    private static ShardSpec Create(int index, int count, string what)
    {
        if (count < 1)
        {
            throw new SegANException($"{what}: the number of shards must be at least 1.");
        }

        if (index < 0 || index >= count)
        {
            throw new SegANException($"{what}: the shard index must be between 0 and {count - 1}.");
        }

        return new ShardSpec(index, count);
    }

    private static int Integer(string variable, string text) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new SegANException($"environment variable {variable}='{text}' is not a whole number.");
}
