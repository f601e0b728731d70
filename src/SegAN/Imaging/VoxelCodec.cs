using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace SegAN.Imaging;

/// <summary>Converts raw voxel bytes of any supported type and byte order to and from float32.</summary>
internal static class VoxelCodec
{
    /// <summary>Decodes <paramref name="source"/> (whole voxels) into <paramref name="destination"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> source, NiftiDataType type, bool bigEndian, Span<float> destination)
    {
        var n = destination.Length;
        source = source[..(n * type.ByteSize())];

        // Native byte order: reinterpret the bytes in place; otherwise swap each voxel. One loop per type, not a
        // switch per voxel: an int16 240x240x155 .nii reads in about half the time.
        var swap = bigEndian == BitConverter.IsLittleEndian;
        switch (type)
        {
            case NiftiDataType.UInt8:
                for (var i = 0; i < n; i++) destination[i] = source[i];
                break;
            case NiftiDataType.Int8:
                for (var i = 0; i < n; i++) destination[i] = (sbyte)source[i];
                break;
            case NiftiDataType.Int16:
                Convert(MemoryMarshal.Cast<byte, short>(source), destination, swap, static v => BinaryPrimitives.ReverseEndianness(v), static v => v);
                break;
            case NiftiDataType.UInt16:
                Convert(MemoryMarshal.Cast<byte, ushort>(source), destination, swap, static v => BinaryPrimitives.ReverseEndianness(v), static v => v);
                break;
            case NiftiDataType.Int32:
                Convert(MemoryMarshal.Cast<byte, int>(source), destination, swap, static v => BinaryPrimitives.ReverseEndianness(v), static v => v);
                break;
            case NiftiDataType.UInt32:
                Convert(MemoryMarshal.Cast<byte, uint>(source), destination, swap, static v => BinaryPrimitives.ReverseEndianness(v), static v => v);
                break;
            case NiftiDataType.Int64:
                Convert(MemoryMarshal.Cast<byte, long>(source), destination, swap, static v => BinaryPrimitives.ReverseEndianness(v), static v => v);
                break;
            case NiftiDataType.UInt64:
                Convert(MemoryMarshal.Cast<byte, ulong>(source), destination, swap, static v => BinaryPrimitives.ReverseEndianness(v), static v => v);
                break;
            case NiftiDataType.Float32:
                Convert(MemoryMarshal.Cast<byte, int>(source), destination, swap, static v => BinaryPrimitives.ReverseEndianness(v), static v => BitConverter.Int32BitsToSingle(v));
                break;
            case NiftiDataType.Float64:
                Convert(MemoryMarshal.Cast<byte, long>(source), destination, swap, static v => BinaryPrimitives.ReverseEndianness(v), static v => (float)BitConverter.Int64BitsToDouble(v));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported voxel type");
        }
    }

    // MemoryMarshal.Cast reads unaligned data correctly on x64 and arm64 (vox_offset need not be a multiple of 8).
    private static void Convert<T>(ReadOnlySpan<T> source, Span<float> destination, bool swap, Func<T, T> reverse, Func<T, float> toFloat)
        where T : unmanaged
    {
        if (swap)
        {
            for (var i = 0; i < destination.Length; i++) destination[i] = toFloat(reverse(source[i]));
        }
        else
        {
            for (var i = 0; i < destination.Length; i++) destination[i] = toFloat(source[i]);
        }
    }

    /// <summary>
    /// Encodes <paramref name="source"/> into <paramref name="destination"/>. Integer types get the value rounded
    /// to the nearest integer (halves away from zero); a value the type cannot hold (NaN, out of range) is an
    /// error naming <paramref name="path"/> rather than a silent clip.
    /// </summary>
    public static void Encode(ReadOnlySpan<float> source, NiftiDataType type, bool bigEndian, Span<byte> destination, string path)
    {
        var size = type.ByteSize();
        var integer = type.IsInteger();
        var (min, max) = type.Range();
        for (var i = 0; i < source.Length; i++)
        {
            var b = destination.Slice(i * size, size);
            var v = source[i];
            if (!integer)
            {
                if (type == NiftiDataType.Float32)
                {
                    if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(b, v);
                    else BinaryPrimitives.WriteSingleLittleEndian(b, v);
                }
                else
                {
                    if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(b, v);
                    else BinaryPrimitives.WriteDoubleLittleEndian(b, v);
                }

                continue;
            }

            var r = Math.Round((double)v, MidpointRounding.AwayFromZero);
            // 2^63 and 2^64 are exact doubles but one past the 64-bit ranges, hence the extra checks.
            if (double.IsNaN(r) || r < min || r > max
                || (type == NiftiDataType.Int64 && r >= 9.2233720368547758E18)
                || (type == NiftiDataType.UInt64 && r >= 1.8446744073709552E19))
            {
                throw new SegANException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: voxel {i} has value {v}, which {type.Name()} cannot hold (range {min} to {max}); write it as float32 or rescale it"));
            }

            switch (type)
            {
                case NiftiDataType.UInt8: b[0] = (byte)r; break;
                case NiftiDataType.Int8: b[0] = unchecked((byte)(sbyte)r); break;
                case NiftiDataType.Int16:
                    if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(b, (short)r);
                    else BinaryPrimitives.WriteInt16LittleEndian(b, (short)r);
                    break;
                case NiftiDataType.UInt16:
                    if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)r);
                    else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)r);
                    break;
                case NiftiDataType.Int32:
                    if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(b, (int)r);
                    else BinaryPrimitives.WriteInt32LittleEndian(b, (int)r);
                    break;
                case NiftiDataType.UInt32:
                    if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, (uint)r);
                    else BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)r);
                    break;
                case NiftiDataType.Int64:
                    if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(b, (long)r);
                    else BinaryPrimitives.WriteInt64LittleEndian(b, (long)r);
                    break;
                case NiftiDataType.UInt64:
                    if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, (ulong)r);
                    else BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)r);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported voxel type");
            }
        }
    }
}
