using TorchSharp.Modules;

namespace SegAN.Distributed;

/// <summary>
/// The seam between <c>backward()</c> and <c>optimizer.step()</c> of the adversarial trainer that
/// data-parallel training fills (<see cref="AllReduceGradientReducer"/>); single-process training uses
/// <see cref="NoGradientReducer"/>. Every rank makes the same calls in the same order.
/// </summary>
public interface IGradientReducer
{
    /// <summary>True when <paramref name="localFinite"/> holds on every rank: all ranks skip a step together.</summary>
    bool AllFinite(bool localFinite);

    /// <summary>Replaces the gradients of <paramref name="parameters"/> by their mean over all ranks.</summary>
    void Reduce(IReadOnlyList<Parameter> parameters);
}

/// <summary>One process: gradients stay as they are.</summary>
public sealed class NoGradientReducer : IGradientReducer
{
    /// <summary>The shared instance.</summary>
    public static NoGradientReducer Instance { get; } = new();

    /// <inheritdoc/>
    public bool AllFinite(bool localFinite) => localFinite;

    /// <inheritdoc/>
    public void Reduce(IReadOnlyList<Parameter> parameters)
    {
    }
}
