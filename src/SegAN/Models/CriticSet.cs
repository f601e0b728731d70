using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;

namespace SegAN.Models;

/// <summary>
/// The critics of one run (one per region, one, or none, by variant) as one module, so that they share one
/// optimiser and one state dictionary (keys <c>critic.K.down.I...</c>).
/// </summary>
public sealed class CriticSet : torch.nn.Module
{
    // A ModuleList registers its items only when its owner calls RegisterComponents.
    [ComponentName(Name = "critic")] private readonly ModuleList<Critic> _critics;

    /// <summary>Registers <paramref name="critics"/> as one module.</summary>
    public CriticSet(IEnumerable<Critic> critics)
        : base(nameof(CriticSet))
    {
        _critics = new ModuleList<Critic>([.. critics]);
        RegisterComponents();
    }

    /// <summary>The critics in region order.</summary>
    public IReadOnlyList<Critic> Critics => [.. _critics];

    /// <summary>Number of critics.</summary>
    public int Count => _critics.Count;
}
