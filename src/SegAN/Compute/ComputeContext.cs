using TorchSharp;

namespace SegAN.Compute;

/// <summary>
/// Applies <c>--device</c> and <c>--threads</c> once per process, before any compute.
/// </summary>
public static class ComputeContext
{
    /// <summary>
    /// Sets libtorch's intra-op thread count (0 keeps libtorch's default, one per core) and resolves the device.
    /// </summary>
    public static torch.Device Initialize(DeviceSpec device, int threads)
    {
        if (threads < 0)
        {
            throw new SegANException(Setting.Threads, $"thread count {threads} must be 0 (all cores) or a positive number.");
        }

        if (threads > 0)
        {
            torch.set_num_threads(threads);
        }

        return device.Resolve();
    }
}
