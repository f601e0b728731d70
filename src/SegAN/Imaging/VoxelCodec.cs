using System.Buffers.Binary;
using System.Globalization;

namespace SegAN.Imaging;

/// <summary>Converts raw voxel bytes of any supported type and byte order to and from float32.</summary>
internal static class VoxelCodec
{
    /// <summary>Decodes <paramref name="source"/> (whole voxels) into <paramref name="destination"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> source, NiftiDataType type, bool bigEndian, Span<float> destination)
    {
        var size = type.ByteSize();
        for (var i = 0; i < destination.Length; i++)
        {
            var b = source.Slice(i * size, size);
            destination[i] = type switch
            {
                NiftiDataType.UInt8 => b[0],
                NiftiDataType.Int8 => (sbyte)b[0],
                NiftiDataType.Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
                NiftiDataType.UInt16 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
                NiftiDataType.Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
                NiftiDataType.UInt32 => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
                NiftiDataType.Int64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
                NiftiDataType.UInt64 => bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b),
                NiftiDataType.Float32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b),
                NiftiDataType.Float64 => (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b)),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported voxel type"),
            };
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
