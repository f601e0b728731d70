using SegAN.Distributed;

namespace SegAN.Tests.Distributed;

/// <summary>
/// An in-process <see cref="ICommunicator"/>: <c>Size</c> ranks as threads meeting at a barrier, with the semantics of
/// MPI's in-place all-reduce and broadcast. It tests the data-parallel trainer without an MPI installation; the real
/// MPI path is tested under mpirun by the MPI integration tests.
/// </summary>
internal sealed class ThreadCommunicator : ICommunicator
{
    private readonly Group _group;

    private ThreadCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    public int Rank { get; }

    public int Size => _group.Size;

    /// <summary>Runs <paramref name="body"/> on <paramref name="size"/> threads, one per rank; returns their results by rank.</summary>
    public static T[] Run<T>(int size, Func<ICommunicator, T> body)
    {
        var group = new Group(size);
        var results = new T[size];
        var failures = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(rank => new Thread(() =>
        {
            try
            {
                results[rank] = body(new ThreadCommunicator(group, rank));
            }
            catch (Exception e)
            {
                failures[rank] = e;
                group.Barrier.RemoveParticipant();
            }
        }, maxStackSize: 16 << 20)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var failure = failures.FirstOrDefault(f => f is not null);
        return failure is null ? results : throw new InvalidOperationException("a rank failed", failure);
    }

    public void AllReduceSum(float[] values, int count)
    {
        _group.Slots[Rank] = values[..count];
        _group.Barrier.SignalAndWait();
        var sum = new float[count];
        for (var r = 0; r < Size; r++)
        {
            var part = (float[])_group.Slots[r]!;
            for (var i = 0; i < count; i++)
            {
                sum[i] += part[i];
            }
        }

        _group.Barrier.SignalAndWait();
        sum.CopyTo(values, 0);
    }

    public int AllReduceMax(int value)
    {
        _group.Slots[Rank] = value;
        _group.Barrier.SignalAndWait();
        var max = Enumerable.Range(0, Size).Max(r => (int)_group.Slots[r]!);
        _group.Barrier.SignalAndWait();
        return max;
    }

    public void Broadcast(byte[] buffer, int root)
    {
        _group.Slots[Rank] = buffer;
        _group.Barrier.SignalAndWait();
        var source = (byte[])_group.Slots[root]!;
        if (Rank != root)
        {
            source.CopyTo(buffer, 0);
        }

        _group.Barrier.SignalAndWait();
    }

    private sealed class Group(int size)
    {
        public int Size { get; } = size;

        public Barrier Barrier { get; } = new(size);

        public object?[] Slots { get; } = new object?[size];
    }
}
