using System.Runtime;

namespace SegAN.Compute;

/// <summary>
/// Holds garbage collection off while a block of TorchSharp calls runs. TorchSharp 0.107 frees the implicit
/// <see cref="TorchSharp.Scalar"/> temporaries (<c>t.add_(1)</c>, an optimiser's <c>mul_(beta)</c>) in finalizers and
/// does not keep them alive across its native calls, so a collection that another thread triggers during such a call
/// can free a scalar libtorch is still reading ("Unknown scalar type" after a few hundred training steps, seen here
/// in BatchNorm's <c>num_batches_tracked.add_(1)</c>). With each step in a no-GC region, collections happen between
/// steps, when no native call is in flight. Best effort: if the budget is exceeded the runtime collects anyway.
/// </summary>
internal readonly struct NoGcRegion : IDisposable
{
    /// <summary>Managed bytes a step may allocate (all threads) before the runtime collects anyway.</summary>
    public const long DefaultBudget = 64L * 1024 * 1024;

    private readonly bool _started;

    private NoGcRegion(bool started) => _started = started;

    /// <summary>Enters a region unless one is already active (regions don't nest) or the runtime refuses.</summary>
    public static NoGcRegion Enter(long budget = DefaultBudget)
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            return new NoGcRegion(false);
        }

        try
        {
            return new NoGcRegion(GC.TryStartNoGCRegion(budget, disallowFullBlockingGC: true));
        }
        catch (ArgumentOutOfRangeException)
        {
            return new NoGcRegion(false);
        }
        catch (InvalidOperationException)
        {
            return new NoGcRegion(false);
        }
    }

    /// <summary>True when this instance started a region (false when nested, refused or unsupported).</summary>
    public bool Active => _started;

    public void Dispose()
    {
        if (_started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            try
            {
                GC.EndNoGCRegion();
            }
            catch (InvalidOperationException)
            {
                // The budget was exceeded and the runtime already collected: nothing left to end.
            }
        }
    }
}
