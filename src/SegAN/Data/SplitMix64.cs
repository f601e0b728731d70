namespace SegAN.Data;

/// <summary>
/// A tiny, fully specified PRNG (SplitMix64, Steele et al. 2014) so that sampling, splits and phantoms give the
/// same numbers on every runtime and machine. Its whole state is one <see cref="ulong"/>.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The generator's state; a generator built from it continues the same sequence.</summary>
    public readonly ulong State => _state;

    /// <summary>A seed derived from several values (a seed and a batch index, say), well mixed.</summary>
    public static ulong Mix(params ReadOnlySpan<long> values)
    {
        var h = 0x9E3779B97F4A7C15UL;
        foreach (var v in values)
        {
            var g = new SplitMix64(h ^ (ulong)v);
            h = g.NextULong();
        }

        return h;
    }

    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform integer in [0, bound) (bound > 0), without modulo bias worth caring about at these sizes.</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        return (int)((NextULong() >> 33) * (ulong)bound >> 31);
    }

    /// <summary>True with probability one half.</summary>
    public bool NextBool() => (NextULong() >> 63) != 0;

    /// <summary>Standard normal (Box-Muller; one of the pair is dropped to keep the state a single word).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
