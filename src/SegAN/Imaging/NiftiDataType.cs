namespace SegAN.Imaging;

/// <summary>
/// On-disk voxel types, numbered by their NIfTI-1 <c>datatype</c> codes. MetaImage element types map onto the
/// same values (MET_UCHAR is <see cref="UInt8"/>, MET_FLOAT is <see cref="Float32"/>, ...).
/// </summary>
#pragma warning disable CA1720 // The members are named after the voxel types they describe, on purpose.
public enum NiftiDataType
{
    /// <summary>Unsigned 8-bit integers (NIfTI code 2).</summary>
    UInt8 = 2,
    /// <summary>Signed 16-bit integers (code 4).</summary>
    Int16 = 4,
    /// <summary>Signed 32-bit integers (code 8).</summary>
    Int32 = 8,
    /// <summary>32-bit floats (code 16).</summary>
    Float32 = 16,
    /// <summary>64-bit floats (code 64).</summary>
    Float64 = 64,
    /// <summary>Signed 8-bit integers (code 256).</summary>
    Int8 = 256,
    /// <summary>Unsigned 16-bit integers (code 512).</summary>
    UInt16 = 512,
    /// <summary>Unsigned 32-bit integers (code 768).</summary>
    UInt32 = 768,
    /// <summary>Signed 64-bit integers (code 1024).</summary>
    Int64 = 1024,
    /// <summary>Unsigned 64-bit integers (code 1280).</summary>
    UInt64 = 1280,
}
#pragma warning restore CA1720

/// <summary>Sizes, names and NIfTI code checks for <see cref="NiftiDataType"/>.</summary>
public static class NiftiDataTypes
{
    /// <summary>Every supported voxel type.</summary>
    public static IReadOnlyList<NiftiDataType> All { get; } = Enum.GetValues<NiftiDataType>();

    /// <summary>Bytes per voxel.</summary>
    public static int ByteSize(this NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Int64 or NiftiDataType.UInt64 or NiftiDataType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported voxel type"),
    };

    /// <summary>The numpy-style name: uint8, int16, float32, ...</summary>
    public static string Name(this NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => "uint8",
        NiftiDataType.Int8 => "int8",
        NiftiDataType.Int16 => "int16",
        NiftiDataType.UInt16 => "uint16",
        NiftiDataType.Int32 => "int32",
        NiftiDataType.UInt32 => "uint32",
        NiftiDataType.Int64 => "int64",
        NiftiDataType.UInt64 => "uint64",
        NiftiDataType.Float32 => "float32",
        NiftiDataType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported voxel type"),
    };

    /// <summary>True for the integer types (label maps are usually stored in one).</summary>
    public static bool IsInteger(this NiftiDataType type) =>
        type is not (NiftiDataType.Float32 or NiftiDataType.Float64);

    /// <summary>The smallest and largest value the type holds (as doubles).</summary>
    public static (double Min, double Max) Range(this NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => (byte.MinValue, byte.MaxValue),
        NiftiDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        NiftiDataType.Int16 => (short.MinValue, short.MaxValue),
        NiftiDataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        NiftiDataType.Int32 => (int.MinValue, int.MaxValue),
        NiftiDataType.UInt32 => (uint.MinValue, uint.MaxValue),
        NiftiDataType.Int64 => (long.MinValue, long.MaxValue),
        NiftiDataType.UInt64 => (ulong.MinValue, ulong.MaxValue),
        NiftiDataType.Float32 => (float.MinValue, float.MaxValue),
        NiftiDataType.Float64 => (double.MinValue, double.MaxValue),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported voxel type"),
    };

    /// <summary>Parses a name as printed by <see cref="Name"/> (case-insensitive); null when unknown.</summary>
    public static NiftiDataType? Parse(string name)
    {
        foreach (var type in All)
        {
            if (string.Equals(type.Name(), name, StringComparison.OrdinalIgnoreCase))
            {
                return type;
            }
        }

        return null;
    }

    /// <summary>
    /// The supported type for a NIfTI <c>datatype</c> code, or null with a readable name of the unsupported one
    /// (complex, RGB, float128...) in <paramref name="description"/>.
    /// </summary>
    internal static NiftiDataType? FromCode(int code, out string description)
    {
        if (Enum.IsDefined(typeof(NiftiDataType), code))
        {
            var type = (NiftiDataType)code;
            description = type.Name();
            return type;
        }

        description = code switch
        {
            0 => "unknown (0)",
            1 => "binary (1)",
            32 => "complex64 (32)",
            128 => "RGB24 (128)",
            255 => "all (255)",
            1536 => "float128 (1536)",
            1792 => "complex128 (1792)",
            2048 => "complex256 (2048)",
            2304 => "RGBA32 (2304)",
            _ => $"code {code.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        };
        return null;
    }
}
