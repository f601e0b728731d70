using System.Globalization;

namespace SegAN.Imaging;

/// <summary>
/// The one size guard every reader and every allocation sized by input goes through: sizes are computed in checked
/// 64-bit arithmetic and compared, before anything is allocated, with the bytes actually present and with a ceiling
/// on voxels (<see cref="MaxVoxels"/>: 1024^3 by default, raised by the <c>SEGAN_MAX_VOXELS</c> environment
/// variable, <c>segan --max-voxels</c> or <see cref="Override"/>). A refused input costs milliseconds, not gigabytes.
/// </summary>
public static class ImageLimits
{
    /// <summary>The default ceiling: 1024^3 voxels (4 GiB as float32) per image file, all its volumes together.</summary>
    public const long DefaultMaxVoxels = 1L << 30;

    /// <summary>The environment variable that raises (or lowers) the ceiling: a positive whole number of voxels.</summary>
    public const string MaxVoxelsVariable = "SEGAN_MAX_VOXELS";

    private static readonly AsyncLocal<long?> Overridden = new();

    /// <summary>
    /// The ceiling in force: an <see cref="Override"/> on this logical call path, else <c>SEGAN_MAX_VOXELS</c>, else
    /// <see cref="DefaultMaxVoxels"/>. A malformed variable is an error naming it (not silently the default).
    /// </summary>
    public static long MaxVoxels
    {
        get
        {
            if (Overridden.Value is { } value)
            {
                return value;
            }

            var text = Environment.GetEnvironmentVariable(MaxVoxelsVariable);
            if (string.IsNullOrWhiteSpace(text))
            {
                return DefaultMaxVoxels;
            }

            return Parse(text, MaxVoxelsVariable);
        }
    }

    /// <summary>Parses a ceiling (a positive whole number, <c>_</c> or <c>,</c> separators allowed); <paramref name="what"/> names its source in errors.</summary>
    public static long Parse(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        var digits = text.Trim().Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new SegANException($"{what} '{text}': expected a positive whole number of voxels, e.g. {DefaultMaxVoxels.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Sets the ceiling for the current logical call path (async flow) until the result is disposed.</summary>
    public static IDisposable Override(long maxVoxels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVoxels, 1);
        var previous = Overridden.Value;
        Overridden.Value = maxVoxels;
        return new Restore(previous);
    }

    /// <summary>
    /// The product of <paramref name="dims"/> in checked 64-bit arithmetic; throws a <see cref="SegANException"/>
    /// naming <paramref name="path"/> when it overflows or exceeds <see cref="MaxVoxels"/>; <paramref name="setting"/>
    /// is the setting the sizes come from, if any (a file's header has none), which the exception names.
    /// </summary>
    public static long CheckVoxels(string path, ReadOnlySpan<long> dims, string what = "dims", Setting? setting = null)
    {
        long product = 1;
        foreach (var d in dims)
        {
            if (d < 1)
            {
                throw new SegANException(setting is { } s ? [s] : [], $"{path}: {what} {Join(dims)}: every size must be at least 1");
            }

            try
            {
                product = checked(product * d);
            }
            catch (OverflowException)
            {
                throw new SegANException(setting is { } s ? [s] : [], $"{path}: {what} {Join(dims)} multiply to more voxels than 64 bits hold; the header is corrupt");
            }
        }

        var max = MaxVoxels;
        if (product > max)
        {
            throw new SegANException(
                setting is { } s ? [s, Setting.MaxVoxels] : [Setting.MaxVoxels],
                string.Create(CultureInfo.InvariantCulture, $"{path}: {what} {Join(dims)} make {product} voxels, over the limit of {max} ({MaxVoxelsVariable} or a higher voxel limit raises it)"));
        }

        return product;
    }

    /// <summary><paramref name="count"/> x <paramref name="size"/> bytes in checked arithmetic (a <see cref="SegANException"/> on overflow).</summary>
    public static long Bytes(string path, long count, long size)
    {
        try
        {
            return checked(count * size);
        }
        catch (OverflowException)
        {
            throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"{path}: {count} values of {size} bytes overflow 64 bits; the header is corrupt"));
        }
    }

    /// <summary>Throws unless <paramref name="available"/> bytes hold the <paramref name="needed"/> ones <paramref name="what"/> claims.</summary>
    public static void EnsurePresent(string path, long needed, long available, string what)
    {
        if (available < needed)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: truncated or wrong {what}: they need {needed} bytes of data, the file has {Math.Max(0, available)}"));
        }
    }

    private static string Join(ReadOnlySpan<long> dims)
    {
        var parts = new string[dims.Length];
        for (var i = 0; i < dims.Length; i++)
        {
            parts[i] = dims[i].ToString(CultureInfo.InvariantCulture);
        }

        return string.Join('x', parts);
    }

    private sealed class Restore(long? previous) : IDisposable
    {
        public void Dispose() => Overridden.Value = previous;
    }
}
