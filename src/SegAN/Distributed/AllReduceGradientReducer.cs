using System.Diagnostics;
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

    /// <summary>Averages gradients over the ranks of <paramref name="communicator"/>.</summary>
    public AllReduceGradientReducer(ICommunicator communicator)
    {
        _communicator = communicator ?? throw new ArgumentNullException(nameof(communicator));
    }

    /// <summary>Wall time spent in the all-reduce itself (excluding the copies), summed over all calls.</summary>
    public TimeSpan AllReduceTime { get; private set; }

    /// <summary>Number of <see cref="Reduce"/> calls.</summary>
    public long Calls { get; private set; }

    /// <inheritdoc/>
    public bool AllFinite(bool localFinite) => _communicator.AllReduceMax(localFinite ? 0 : 1) == 0;

    /// <inheritdoc/>
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

        // The bucket is viewed as a tensor (torch.frombuffer shares the array's memory), so that the copies in and
        // out are native copies, not element loops.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var flat = torch.frombuffer(_bucket, torch.ScalarType.Float32, total);
        long offset = 0;
        foreach (var p in parameters)
        {
            var slot = flat.narrow(0, offset, p.numel());
            if (p.grad is { } grad)
            {
                slot.copy_(grad.reshape(-1));
            }
            else
            {
                slot.zero_();
            }

            offset += p.numel();
        }

        var watch = Stopwatch.StartNew();
        _communicator.AllReduceSum(_bucket, (int)total);
        AllReduceTime += watch.Elapsed;
        Calls++;

        flat.mul_(1f / _communicator.Size);
        offset = 0;
        foreach (var p in parameters)
        {
            if (p.grad is { } grad)
            {
                grad.copy_(flat.narrow(0, offset, p.numel()).view_as(grad));
            }

            offset += p.numel();
        }
    }
}
