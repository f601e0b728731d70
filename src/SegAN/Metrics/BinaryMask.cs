namespace SegAN.Metrics;

/// <summary>Conversions to the <c>bool</c> masks the metrics take.</summary>
public static class BinaryMask
{
    /// <summary>A mask that is true where <paramref name="values"/> is non-zero (byte masks, one region of a region map).</summary>
    public static bool[] From(ReadOnlySpan<byte> values)
    {
        var mask = new bool[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            mask[i] = values[i] != 0;
        }

        return mask;
    }

    /// <summary>A mask that is true where <paramref name="values"/> is above <paramref name="threshold"/> (probabilities, default 0.5).</summary>
    public static bool[] From(ReadOnlySpan<float> values, float threshold = 0.5f)
    {
        var mask = new bool[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            mask[i] = values[i] > threshold;
        }

        return mask;
    }
}
