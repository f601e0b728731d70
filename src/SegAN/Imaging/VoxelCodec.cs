using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace SegAN.Imaging;

/// <summary>Converts raw voxel bytes of any supported type and byte order to and from float32.</summary>
internal static class VoxelCodec
{
    /// <summary>
    /// Fills <paramref name="destination"/> with voxels read from <paramref name="prefix"/> (consumed first) and then
    /// <paramref name="stream"/>, decoding a chunk at a time so that no byte buffer as large as the volume is ever
    /// allocated. Returns the bytes obtained: fewer than the volume needs when the data ends early.
    /// </summary>
    public static long ReadInto(ref ReadOnlyMemory<byte> prefix, Stream stream, NiftiDataType type, bool bigEndian, float[] destination)
    {
        var size = type.ByteSize();
        var chunk = new byte[Math.Min(1 << 20, Math.Max(size, destination.LongLength * size))];
        var perChunk = chunk.Length / size;
        long done = 0;
        long bytes = 0;
        while (done < destination.LongLength)
        {
            var want = (int)(Math.Min(perChunk, destination.LongLength - done) * size);
            var filled = 0;
            if (!prefix.IsEmpty)
            {
                var take = Math.Min(prefix.Length, want);
                prefix.Span[..take].CopyTo(chunk);
                prefix = prefix[take..];
                filled = take;
            }

            filled += stream.ReadAtLeast(chunk.AsSpan(filled, want - filled), want - filled, throwOnEndOfStream: false);
            bytes += filled;
            var voxels = filled / size;
            Decode(chunk.AsSpan(0, voxels * size), type, bigEndian, destination.AsSpan((int)done, voxels));
            done += voxels;
            if (filled < want)
            {
                break;
            }
        }

        return bytes;
    }

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
        var n = source.Length;
        destination = destination[..(n * type.ByteSize())];
        var swap = bigEndian == BitConverter.IsLittleEndian;
        switch (type)
        {
            case NiftiDataType.Float32:
                var f32 = MemoryMarshal.Cast<byte, int>(destination);
                for (var i = 0; i < n; i++)
                {
                    var bits = BitConverter.SingleToInt32Bits(source[i]);
                    f32[i] = swap ? BinaryPrimitives.ReverseEndianness(bits) : bits;
                }

                break;
            case NiftiDataType.Float64:
                var f64 = MemoryMarshal.Cast<byte, long>(destination);
                for (var i = 0; i < n; i++)
                {
                    var bits = BitConverter.DoubleToInt64Bits(source[i]);
                    f64[i] = swap ? BinaryPrimitives.ReverseEndianness(bits) : bits;
                }

                break;
            case NiftiDataType.UInt8:
                for (var i = 0; i < n; i++) destination[i] = (byte)Integral(source, i, type, path);
                break;
            case NiftiDataType.Int8:
                for (var i = 0; i < n; i++) destination[i] = unchecked((byte)(sbyte)Integral(source, i, type, path));
                break;
            case NiftiDataType.Int16:
                var i16 = MemoryMarshal.Cast<byte, short>(destination);
                for (var i = 0; i < n; i++)
                {
                    var v = (short)Integral(source, i, type, path);
                    i16[i] = swap ? BinaryPrimitives.ReverseEndianness(v) : v;
                }

                break;
            case NiftiDataType.UInt16:
                var u16 = MemoryMarshal.Cast<byte, ushort>(destination);
                for (var i = 0; i < n; i++)
                {
                    var v = (ushort)Integral(source, i, type, path);
                    u16[i] = swap ? BinaryPrimitives.ReverseEndianness(v) : v;
                }

                break;
            case NiftiDataType.Int32:
                var i32 = MemoryMarshal.Cast<byte, int>(destination);
                for (var i = 0; i < n; i++)
                {
                    var v = (int)Integral(source, i, type, path);
                    i32[i] = swap ? BinaryPrimitives.ReverseEndianness(v) : v;
                }

                break;
            case NiftiDataType.UInt32:
                var u32 = MemoryMarshal.Cast<byte, uint>(destination);
                for (var i = 0; i < n; i++)
                {
                    var v = (uint)Integral(source, i, type, path);
                    u32[i] = swap ? BinaryPrimitives.ReverseEndianness(v) : v;
                }

                break;
            case NiftiDataType.Int64:
                var i64 = MemoryMarshal.Cast<byte, long>(destination);
                for (var i = 0; i < n; i++)
                {
                    var v = (long)Integral(source, i, type, path);
                    i64[i] = swap ? BinaryPrimitives.ReverseEndianness(v) : v;
                }

                break;
            case NiftiDataType.UInt64:
                var u64 = MemoryMarshal.Cast<byte, ulong>(destination);
                for (var i = 0; i < n; i++)
                {
                    var v = (ulong)Integral(source, i, type, path);
                    u64[i] = swap ? BinaryPrimitives.ReverseEndianness(v) : v;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "not a supported voxel type");
        }
    }

    /// <summary>Voxel <paramref name="i"/> rounded half away from zero, checked against the integer type's range.</summary>
    private static double Integral(ReadOnlySpan<float> source, int i, NiftiDataType type, string path)
    {
        var v = source[i];
        var r = Math.Round((double)v, MidpointRounding.AwayFromZero);
        var (min, max) = type.Range();

        // 2^63 and 2^64 are exact doubles but one past the 64-bit ranges, hence the strict checks for them.
        var tooLarge = type switch
        {
            NiftiDataType.Int64 => r >= 9.2233720368547758E18,
            NiftiDataType.UInt64 => r >= 1.8446744073709552E19,
            _ => r > max,
        };
        if (double.IsNaN(r) || r < min || tooLarge)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: voxel {i} has value {v}, which {type.Name()} cannot hold (range {min} to {max}); write it as float32 or rescale it"));
        }

        return r;
    }
}
