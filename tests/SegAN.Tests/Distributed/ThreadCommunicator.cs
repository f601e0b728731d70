using SegAN.Distributed;

namespace SegAN.Tests.Distributed;

/// <summary>
/// An in-process <see cref="ICommunicator"/>: <c>Size</c> ranks as threads with the semantics of MPI's in-place
/// all-reduce and broadcast. The ranks take turns (rank 0, 1, ..., then 0 again at the next collective call), so
/// only one runs at a time: what they do with process-wide state (torch's global generator, seeded when networks are
/// built) happens in a fixed order, as if each rank were its own process. It tests the data-parallel trainer without
/// an MPI installation; the real MPI path runs under mpirun in <c>MpiTrainingTests</c>.
/// </summary>
internal sealed class ThreadCommunicator : ICommunicator
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly Group _group;
    private int _calls;

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
                group.WaitTurn(rank);
                results[rank] = body(new ThreadCommunicator(group, rank));
            }
            catch (Exception e)
            {
                failures[rank] = e;
            }
            finally
            {
                group.PassTurn(rank);
            }
        }, maxStackSize: 16 << 20)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var failure = failures.FirstOrDefault(f => f is not null);
        return failure is null ? results : throw new InvalidOperationException("a rank failed", failure);
    }

    public void AllReduceSum(float[] values, int count)
    {
        var sum = (float[])Collective(values[..count], parts =>
        {
            var total = new float[count];
            foreach (var part in parts.Cast<float[]>())
            {
                for (var i = 0; i < count; i++)
                {
                    total[i] += part[i];
                }
            }

            return total;
        });
        sum.CopyTo(values, 0);
    }

    public int AllReduceMax(int value) => (int)Collective(value, parts => parts.Cast<int>().Max());

    public void Broadcast(byte[] buffer, int root)
    {
        var source = (byte[])Collective(buffer.ToArray(), parts => parts[root]!);
        source.CopyTo(buffer, 0);
    }

    // Deposits this rank's part of collective call number _calls and hands the turn on; the last rank computes the
    // result. A rank reads the result when its turn comes back.
    private object Collective(object part, Func<object?[], object> combine)
    {
        var call = _calls++;
        var parts = _group.Parts.GetOrAdd(call, _ => new object?[Size]);
        parts[Rank] = part;
        if (Rank == Size - 1)
        {
            _group.Results[call] = combine(parts);
        }

        _group.PassTurn(Rank);
        _group.WaitTurn(Rank);
        return _group.Results.TryGetValue(call, out var result)
            ? result
            : throw new InvalidOperationException($"rank {Rank}: collective call {call} has no result (another rank failed)");
    }

    private sealed class Group
    {
        private readonly SemaphoreSlim[] _turns;

        public Group(int size)
        {
            Size = size;
            _turns = [.. Enumerable.Range(0, size).Select(r => new SemaphoreSlim(r == 0 ? 1 : 0))];
        }

        public int Size { get; }

        public System.Collections.Concurrent.ConcurrentDictionary<int, object?[]> Parts { get; } = new();

        public System.Collections.Concurrent.ConcurrentDictionary<int, object> Results { get; } = new();

        public void WaitTurn(int rank)
        {
            if (!_turns[rank].Wait(Patience))
            {
                throw new TimeoutException($"rank {rank} waited {Patience.TotalMinutes} minutes for its turn");
            }
        }

        public void PassTurn(int rank) => _turns[(rank + 1) % Size].Release();
    }
}
