using SegAN.Data;

namespace SegAN.Tests.Data;

public sealed class DatasetSplitTests
{
    [Fact]
    public void Create_SplitsEachGroupNineToOne()
    {
        // Given 20 HGG and 10 LGG cases
        var cases = Cases("HGG", 20).Concat(Cases("LGG", 10)).ToList();

        // When
        var split = DatasetSplit.Create(cases, seed: 3);

        // Then 2 HGG and 1 LGG validate, the rest train, no case in both
        Assert.Equal(2, split.Validation.Count(c => c.Group == "HGG"));
        Assert.Equal(1, split.Validation.Count(c => c.Group == "LGG"));
        Assert.Equal(27, split.Train.Count);
        Assert.Empty(split.Train.Intersect(split.Validation));
    }

    [Fact]
    public void Create_IsDeterministic_ForASeed_WhateverTheInputOrder()
    {
        var cases = Cases(null, 30);
        var a = DatasetSplit.Create(cases, seed: 7);
        var b = DatasetSplit.Create([.. Enumerable.Reverse(cases)], seed: 7);
        var others = Enumerable.Range(0, 10).Select(s => DatasetSplit.Create(cases, seed: 100 + s)).ToList();

        Assert.Equal(a.Validation.Select(c => c.Name), b.Validation.Select(c => c.Name));
        Assert.Equal(3, a.Validation.Count);
        Assert.Contains(others, o => !o.Validation.Select(c => c.Name).SequenceEqual(a.Validation.Select(c => c.Name)));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(4, 1)]
    [InlineData(15, 2)]
    public void Create_KeepsAtLeastOneValidationCase_FromTwoCases(int count, int expected)
    {
        var split = DatasetSplit.Create(Cases(null, count), seed: 0);
        Assert.Equal(expected, split.Validation.Count);
        Assert.Equal(count - expected, split.Train.Count);
    }

    private static List<CaseFiles> Cases(string? group, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new CaseFiles($"{group}{i:D3}", group, $"/d/{group}/{i:D3}", ["T1"], [$"/d/{group}/{i:D3}/t1.nii.gz"], null))];
}
