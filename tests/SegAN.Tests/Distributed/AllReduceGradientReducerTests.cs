using SegAN.Distributed;
using TorchSharp;
using TorchSharp.Modules;

namespace SegAN.Tests.Distributed;

public sealed class AllReduceGradientReducerTests
{
    [Fact]
    public void Reduce_ReplacesGradientsByTheirMeanOverRanks_AndLeavesMissingGradientsMissing()
    {
        // Given on 2 ranks a (2x2) parameter with gradients [[1, 2], [3, 4]] and [[3, 6], [9, 12]], a scalar-like (1)
        // parameter with gradients [10] and [-2], and a parameter without a gradient
        var results = ThreadCommunicator.Run(2, communicator =>
        {
            var scale = communicator.Rank == 0 ? 1f : 3f;
            using var a = new Parameter(torch.zeros(2, 2));
            using var b = new Parameter(torch.zeros(1));
            using var c = new Parameter(torch.zeros(3));
            a.grad = torch.tensor(new[] { 1f, 2f, 3f, 4f }, [2, 2]).mul(scale);
            b.grad = torch.tensor(new[] { communicator.Rank == 0 ? 10f : -2f });

            // When the gradients are reduced
            var reducer = new AllReduceGradientReducer(communicator);
            reducer.Reduce([a, b, c]);

            return (A: a.grad!.data<float>().ToArray(), B: b.grad!.data<float>().ToArray(), CHasGrad: c.grad is not null, reducer.Calls);
        });

        // Then both ranks hold the means [[2, 4], [6, 8]] and [4]; the third parameter still has no gradient
        foreach (var r in results)
        {
            Assert.Equal([2f, 4f, 6f, 8f], r.A);
            Assert.Equal([4f], r.B);
            Assert.False(r.CHasGrad);
            Assert.Equal(1, r.Calls);
        }
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, false, false)]
    public void AllFinite_IsTrueOnEveryRank_OnlyWhenEveryRankIsFinite(bool rank0, bool rank1, bool expected)
    {
        var results = ThreadCommunicator.Run(2, c => new AllReduceGradientReducer(c).AllFinite(c.Rank == 0 ? rank0 : rank1));
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
