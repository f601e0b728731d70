using System.Diagnostics;
using SegAN.Training;
using TorchSharp;
using TorchSharp.Modules;

namespace SegAN.Distributed;

/// <summary>
/// Data-parallel gradient averaging with one bucketed all-reduce per optimiser step: every parameter's gradient is
/// copied into one float buffer, summed over the ranks with a single MPI_Allreduce, divided by the number of ranks
/// and copied back (one collective instead of one per tensor; the buffer is allocated once and reused). A parameter
/// without a gradient contributes zeros, so every rank sends the same length. With identical initial weights and
/// identical averaged gradients, every rank's optimiser makes the identical update, and so does critic clipping.
/// A parameter without a gradient keeps none (the optimiser skips it on every rank alike).
/// </summary>
public sealed class AllReduceGradientReducer : IGradientReducer
{
    private readonly ICommunicator _communicator;
    private float[] _bucket = [];

    public AllReduceGradientReducer(ICommunicator communicator)
    {
        _communicator = communicator ?? throw new ArgumentNullException(nameof(communicator));
    }

    /// <summary>Wall time spent in the all-reduce itself (excluding the copies), summed over all calls.</summary>
    public TimeSpan AllReduceTime { get; private set; }

    /// <summary>Number of <see cref="Reduce"/> calls.</summary>
    public long Calls { get; private set; }

    public bool AllFinite(bool localFinite) => _communicator.AllReduceMax(localFinite ? 0 : 1) == 0;

    public void Reduce(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var total = parameters.Sum(p => p.numel());
        if (total > int.MaxValue)
        {
            throw new SegANException($"{total} gradient values exceed one MPI message; use fewer parameters.");
        }

        if (_bucket.Length < total)
        {
            _bucket = new float[total];
        }

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var offset = 0;
        foreach (var p in parameters)
        {
            var n = (int)p.numel();
            var span = _bucket.AsSpan(offset, n);
            if (p.grad is { } grad)
            {
                grad.contiguous().cpu().data<float>().CopyTo(span);
            }
            else
            {
                span.Clear();
            }

            offset += n;
        }

        var watch = Stopwatch.StartNew();
        _communicator.AllReduceSum(_bucket, (int)total);
        AllReduceTime += watch.Elapsed;
        Calls++;

        var scale = 1f / _communicator.Size;
        offset = 0;
        foreach (var p in parameters)
        {
            var n = (int)p.numel();
            if (p.grad is { } grad)
            {
                grad.copy_(torch.tensor(_bucket.AsSpan(offset, n).ToArray(), p.shape).mul_(scale));
            }

            offset += n;
        }
    }
}
