namespace SegAN.Reporting;

/// <summary>An 8-bit sRGB colour.</summary>
/// <remarks>
/// Public, unlike the drawing plumbing around it, because the server's viewer colours WT, TC and ET with the same
/// colours as the report's overlays.
/// </remarks>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>White.</summary>
    public static Rgb White => new(255, 255, 255);

    /// <summary>Black.</summary>
    public static Rgb Black => new(0, 0, 0);

    /// <summary>Mid grey.</summary>
    public static Rgb Grey => new(128, 128, 128);

    /// <summary>Light grey.</summary>
    public static Rgb LightGrey => new(225, 225, 225);

    /// <summary>Whole tumour, as in the paper's Fig. 3.</summary>
    public static Rgb Yellow => new(255, 220, 0);

    /// <summary>Tumour core, as in the paper's Fig. 3.</summary>
    public static Rgb Blue => new(30, 100, 255);

    /// <summary>Enhancing tumour, as in the paper's Fig. 3.</summary>
    public static Rgb Red => new(230, 20, 20);

    /// <summary>Distinct colours for chart series (Tableau 10).</summary>
    public static IReadOnlyList<Rgb> Palette { get; } =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    /// <summary>This colour moved towards <paramref name="other"/> by <paramref name="amount"/> (0 keeps it, 1 replaces it).</summary>
    public Rgb Mix(Rgb other, double amount)
    {
        static byte Lerp(byte a, byte b, double t) => (byte)Math.Clamp(Math.Round(a + ((b - a) * t)), 0, 255);
        return new Rgb(Lerp(R, other.R, amount), Lerp(G, other.G, amount), Lerp(B, other.B, amount));
    }

    /// <summary>CSS hex notation, #rrggbb.</summary>
    public string ToHex() => $"#{R:x2}{G:x2}{B:x2}";
}
