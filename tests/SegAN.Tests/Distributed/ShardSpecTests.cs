using SegAN.Distributed;

namespace SegAN.Tests.Distributed;

public sealed class ShardSpecTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("2/8", 2, 8)]
    [InlineData(" 3 / 4 ", 3, 4)]
    public void Parse_ReadsIndexAndCount_WhenWellFormed(string text, int index, int count)
    {
        Assert.Equal(new ShardSpec(index, count), ShardSpec.Parse(text));
    }

    [Theory]
    [InlineData("4/4", "between 0 and 3")]
    [InlineData("0/0", "at least 1")]
    [InlineData("-1/4", "whole numbers")]
    [InlineData("1", "whole numbers")]
    [InlineData("a/b", "whole numbers")]
    [InlineData("1/2/3", "whole numbers")]
    public void Parse_ThrowsNamingTheText_WhenMalformed(string text, string problem)
    {
        var e = Assert.Throws<SegANException>(() => ShardSpec.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_IsRoundRobinOverOrdinallySortedNames()
    {
        // Given names in listing order (not sorted), ordinal order: B, a1, a10, a2, c
        string[] names = ["c", "a2", "a10", "B", "a1"];

        // When split into two shards, Then shard 0 takes sorted positions 0, 2, 4 and shard 1 positions 1, 3
        Assert.Equal(["B", "a10", "c"], new ShardSpec(0, 2).Select(names));
        Assert.Equal(["a1", "a2"], new ShardSpec(1, 2).Select(names));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(11)]
    public void Select_ShardsPartitionTheNames_WithSizesDifferingByAtMostOne(int count)
    {
        // Given 8 names in a shuffled order
        var names = Enumerable.Range(0, 8).Select(i => $"case{i:D2}").Reverse().ToArray();

        // When every shard selects
        var shards = Enumerable.Range(0, count).Select(k => new ShardSpec(k, count).Select(names)).ToArray();

        // Then each name is in exactly one shard and the sizes are balanced
        Assert.Equal(names.Order(StringComparer.Ordinal), shards.SelectMany(s => s).Order(StringComparer.Ordinal));
        Assert.True(shards.Max(s => s.Count) - shards.Min(s => s.Count) <= 1);
    }

    [Fact]
    public void Select_Throws_WhenANameRepeats()
    {
        var e = Assert.Throws<SegANException>(() => new ShardSpec(0, 2).Select(["x", "y", "x"]));
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ExplicitShardWins_OverEnvironment()
    {
        var spec = ShardSpec.Resolve("1/3", null, Env((ShardSpec.SlurmTaskIdVariable, "0"), (ShardSpec.SlurmTaskCountVariable, "4")));
        Assert.Equal(new ShardSpec(1, 3), spec);
    }

    [Fact]
    public void Resolve_UsesSlurmArray_FromIdMinusMinOverStep()
    {
        // Given --array=1-7:2 (ids 1, 3, 5, 7), task id 5 is the third task
        var spec = ShardSpec.Resolve(null, null, Env(
            (ShardSpec.SlurmTaskIdVariable, "5"),
            (ShardSpec.SlurmTaskCountVariable, "4"),
            (ShardSpec.SlurmTaskMinVariable, "1"),
            (ShardSpec.SlurmTaskStepVariable, "2")));
        Assert.Equal(new ShardSpec(2, 4), spec);
    }

    [Fact]
    public void Resolve_UsesKubernetesIndex_WithShards()
    {
        Assert.Equal(new ShardSpec(3, 5), ShardSpec.Resolve(null, 5, Env((ShardSpec.KubernetesIndexVariable, "3"))));
    }

    [Fact]
    public void Resolve_IsNull_WithoutShardOrEnvironment_AndWhole_ForOneShard()
    {
        Assert.Null(ShardSpec.Resolve(null, null, Env()));
        Assert.True(ShardSpec.Resolve(null, 1, Env())!.IsWhole);
        Assert.True(ShardSpec.Resolve(null, null, Env((ShardSpec.SlurmTaskIdVariable, "0"), (ShardSpec.SlurmTaskCountVariable, "1")))!.IsWhole);
    }

    [Theory]
    [InlineData(ShardSpec.KubernetesIndexVariable, "2", null, "give the number of shards")]
    [InlineData(ShardSpec.KubernetesIndexVariable, "5", 5, "between 0 and 4")]
    [InlineData(ShardSpec.KubernetesIndexVariable, "x", 5, "JOB_COMPLETION_INDEX='x'")]
    [InlineData(ShardSpec.SlurmTaskIdVariable, "1", null, "SLURM_ARRAY_TASK_COUNT is not set")]
    [InlineData("NONE", "0", 4, "give the shard as K/4")]
    public void Resolve_ThrowsAClearError_WhenTheShardCannotBeDetermined(string variable, string value, int? shards, string problem)
    {
        var e = Assert.Throws<SegANException>(() => ShardSpec.Resolve(null, shards, Env((variable, value))));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Throws_WhenShardAndShardsDisagree()
    {
        var e = Assert.Throws<SegANException>(() => ShardSpec.Resolve("0/2", 3, Env()));
        Assert.StartsWith("shard 0/2 and number of shards 3 disagree", e.Message, StringComparison.Ordinal);
        Assert.Equal([Setting.Shard, Setting.Shards], e.Settings);
    }

    [Fact]
    public void ShardReport_RoundTrips_UnderTheShardsFileName()
    {
        // Given a report of shard 1/4 with one failure
        var folder = Directory.CreateTempSubdirectory("segan-shard-").FullName;
        try
        {
            var report = new ShardReport("1/4", 3, 1, 1, [new CaseFailure("c7", "c7.nii.gz: truncated")]);

            // When written and read back
            var path = report.Write(folder, new ShardSpec(1, 4));
            var back = ShardReport.Read(path);

            // Then the name says the shard and the content is unchanged
            Assert.Equal("failures-shard-1-of-4.json", Path.GetFileName(path));
            Assert.Equal(report.Shard, back.Shard);
            Assert.Equal((3, 1, 1), (back.Cases, back.Written, back.Skipped));
            Assert.Equal(report.Failures, back.Failures);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
