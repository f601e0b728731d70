using System.Globalization;
using TorchSharp;

namespace SegAN.Compute;

/// <summary>
/// The <c>--device</c> convention shared by every compute command: <c>auto</c> (CUDA when available, else CPU),
/// <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.
/// </summary>
public sealed record DeviceSpec(DeviceKind Kind, int Index = 0)
{
    /// <summary>CUDA when available, else the CPU.</summary>
    public static DeviceSpec Auto { get; } = new(DeviceKind.Auto);

    /// <summary>The CPU.</summary>
    public static DeviceSpec Cpu { get; } = new(DeviceKind.Cpu);

    /// <summary>Parses <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, case-insensitively.</summary>
    public static DeviceSpec Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "auto")
        {
            return Auto;
        }

        if (t == "cpu")
        {
            return Cpu;
        }

        if (t == "cuda")
        {
            return new DeviceSpec(DeviceKind.Cuda);
        }

        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new DeviceSpec(DeviceKind.Cuda, index);
        }

        throw new SegANException(Setting.Device, $"device '{text}' is not one of auto, cpu, cuda, cuda:N.");
    }

    /// <summary>
    /// Resolves to a torch device, failing clearly when CUDA is asked for and not there. Loads libtorch.
    /// </summary>
    public torch.Device Resolve()
    {
        switch (Kind)
        {
            case DeviceKind.Cpu:
                return torch.CPU;
            case DeviceKind.Auto:
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            default:
                if (!torch.cuda.is_available())
                {
                    throw new SegANException(
                        Setting.Device,
                        $"device {this} was requested but CUDA is not available (this build uses the "
                        + "CPU libtorch package, or no NVIDIA driver/GPU is present); choose the cpu or auto device.");
                }

                var count = torch.cuda.device_count();
                if (Index >= count)
                {
                    throw new SegANException(
                        Setting.Device,
                        $"device {this} was requested but only {count} CUDA device(s) exist (cuda:0..cuda:{count - 1}).");
                }

                return new torch.Device(DeviceType.CUDA, Index);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        DeviceKind.Auto => "auto",
        DeviceKind.Cpu => "cpu",
        _ => Index == 0 ? "cuda" : $"cuda:{Index.ToString(CultureInfo.InvariantCulture)}",
    };
}

/// <summary>Which device family <see cref="DeviceSpec"/> names.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when available, else the CPU.</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through CUDA.</summary>
    Cuda,
}
