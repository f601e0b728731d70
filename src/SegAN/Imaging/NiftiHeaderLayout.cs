using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SegAN.Imaging;

/// <summary>The byte layouts of the NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers: parsing and writing.</summary>
public sealed partial record NiftiHeader
{
    /// <summary>
    /// Parses a header from the first bytes of a file (at least 348; 540 for NIfTI-2). Errors name
    /// <paramref name="path"/>: not NIfTI, wrong magic, two-file (.hdr/.img) pairs, unsupported datatypes and
    /// invalid dims.
    /// </summary>
    internal static NiftiHeader Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < 4)
        {
            throw new SegANException($"{path}: not a NIfTI file (only {bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes; a header needs 348)");
        }

        var le = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var be = BinaryPrimitives.ReadInt32BigEndian(bytes);
        NiftiVersion version;
        bool bigEndian;
        if (le is Nifti1HeaderSize or Nifti2HeaderSize)
        {
            (version, bigEndian) = (le == Nifti1HeaderSize ? NiftiVersion.Nifti1 : NiftiVersion.Nifti2, false);
        }
        else if (be is Nifti1HeaderSize or Nifti2HeaderSize)
        {
            (version, bigEndian) = (be == Nifti1HeaderSize ? NiftiVersion.Nifti1 : NiftiVersion.Nifti2, true);
        }
        else
        {
            throw new SegANException($"{path}: not a NIfTI file (sizeof_hdr is {le.ToString(CultureInfo.InvariantCulture)}, expected 348 or 540 in either byte order)");
        }

        var size = version == NiftiVersion.Nifti1 ? Nifti1HeaderSize : Nifti2HeaderSize;
        if (bytes.Length < size)
        {
            throw new SegANException($"{path}: truncated NIfTI header ({bytes.Length.ToString(CultureInfo.InvariantCulture)} of {size.ToString(CultureInfo.InvariantCulture)} bytes)");
        }

        var r = new FieldReader(bytes, bigEndian);
        return version == NiftiVersion.Nifti1 ? ParseNifti1(r, path) : ParseNifti2(r, path);
    }

    private static NiftiHeader ParseNifti1(FieldReader r, string path)
    {
        var magic = r.Ascii(344, 4);
        if (magic == "ni1")
        {
            throw new SegANException($"{path}: a two-file NIfTI-1 header (magic 'ni1', .hdr/.img pair); only single-file .nii/.nii.gz is supported");
        }

        if (magic != "n+1")
        {
            throw new SegANException($"{path}: bad NIfTI-1 magic '{Printable(magic)}' (expected 'n+1'); an ANALYZE 7.5 or corrupt file?");
        }

        var dim = new long[8];
        var pixdim = new double[8];
        for (var i = 0; i < 8; i++)
        {
            dim[i] = r.Int16(40 + (2 * i));
            pixdim[i] = r.Single(76 + (4 * i));
        }

        var header = new NiftiHeader
        {
            Version = NiftiVersion.Nifti1,
            BigEndian = r.BigEndian,
            DataType = CheckDataType(r.Int16(70), path),
            Dim = dim,
            Pixdim = pixdim,
            VoxOffset = (long)r.Single(108),
            SclSlope = r.Single(112),
            SclInter = r.Single(116),
            XyztUnits = r.Bytes[123],
            Description = r.Ascii(148, 80),
            QformCode = r.Int16(252),
            SformCode = r.Int16(254),
            QuaternB = r.Single(256),
            QuaternC = r.Single(260),
            QuaternD = r.Single(264),
            QoffsetX = r.Single(268),
            QoffsetY = r.Single(272),
            QoffsetZ = r.Single(276),
            SrowX = [r.Single(280), r.Single(284), r.Single(288), r.Single(292)],
            SrowY = [r.Single(296), r.Single(300), r.Single(304), r.Single(308)],
            SrowZ = [r.Single(312), r.Single(316), r.Single(320), r.Single(324)],
        };
        return header.Validated(path);
    }

    private static NiftiHeader ParseNifti2(FieldReader r, string path)
    {
        var magic = r.Ascii(4, 8);
        if (magic == "ni2")
        {
            throw new SegANException($"{path}: a two-file NIfTI-2 header (magic 'ni2', .hdr/.img pair); only single-file .nii/.nii.gz is supported");
        }

        if (magic != "n+2")
        {
            throw new SegANException($"{path}: bad NIfTI-2 magic '{Printable(magic)}' (expected 'n+2')");
        }

        var dim = new long[8];
        var pixdim = new double[8];
        for (var i = 0; i < 8; i++)
        {
            dim[i] = r.Int64(16 + (8 * i));
            pixdim[i] = r.Double(104 + (8 * i));
        }

        var header = new NiftiHeader
        {
            Version = NiftiVersion.Nifti2,
            BigEndian = r.BigEndian,
            DataType = CheckDataType(r.Int16(12), path),
            Dim = dim,
            Pixdim = pixdim,
            VoxOffset = r.Int64(168),
            SclSlope = r.Double(176),
            SclInter = r.Double(184),
            Description = r.Ascii(240, 80),
            QformCode = r.Int32(344),
            SformCode = r.Int32(348),
            QuaternB = r.Double(352),
            QuaternC = r.Double(360),
            QuaternD = r.Double(368),
            QoffsetX = r.Double(376),
            QoffsetY = r.Double(384),
            QoffsetZ = r.Double(392),
            SrowX = [r.Double(400), r.Double(408), r.Double(416), r.Double(424)],
            SrowY = [r.Double(432), r.Double(440), r.Double(448), r.Double(456)],
            SrowZ = [r.Double(464), r.Double(472), r.Double(480), r.Double(488)],
            XyztUnits = r.Int32(500),
        };
        return header.Validated(path);
    }

    private static NiftiDataType CheckDataType(int code, string path) =>
        NiftiDataTypes.FromCode(code, out var description)
        ?? throw new SegANException($"{path}: unsupported NIfTI datatype {description}; SegAN reads uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32 and float64");

    /// <summary>Serialises the header (and the 4 zero extension bytes) for a single-file .nii.</summary>
    internal byte[] ToBytes()
    {
        var size = Version == NiftiVersion.Nifti1 ? Nifti1HeaderSize : Nifti2HeaderSize;
        var bytes = new byte[size + 4];
        var w = new FieldWriter(bytes, BigEndian);
        var bitpix = (short)(DataType.ByteSize() * 8);
        if (Version == NiftiVersion.Nifti1)
        {
            w.Int32(0, Nifti1HeaderSize);
            bytes[38] = (byte)'r'; // "regular", as ANALYZE readers expect
            for (var i = 0; i < 8; i++)
            {
                w.Int16(40 + (2 * i), checked((short)Dim[i]));
                w.Single(76 + (4 * i), Pixdim[i]);
            }

            w.Int16(70, (short)DataType);
            w.Int16(72, bitpix);
            w.Single(108, VoxOffset);
            w.Single(112, SclSlope);
            w.Single(116, SclInter);
            bytes[123] = (byte)XyztUnits;
            w.Ascii(148, 80, Description);
            w.Int16(252, (short)QformCode);
            w.Int16(254, (short)SformCode);
            w.Single(256, QuaternB);
            w.Single(260, QuaternC);
            w.Single(264, QuaternD);
            w.Single(268, QoffsetX);
            w.Single(272, QoffsetY);
            w.Single(276, QoffsetZ);
            for (var j = 0; j < 4; j++)
            {
                w.Single(280 + (4 * j), SrowX[j]);
                w.Single(296 + (4 * j), SrowY[j]);
                w.Single(312 + (4 * j), SrowZ[j]);
            }

            w.Ascii(344, 4, "n+1");
        }
        else
        {
            w.Int32(0, Nifti2HeaderSize);
            "n+2\0\r\n\u001a\n"u8.CopyTo(bytes.AsSpan(4));
            w.Int16(12, (short)DataType);
            w.Int16(14, bitpix);
            for (var i = 0; i < 8; i++)
            {
                w.Int64(16 + (8 * i), Dim[i]);
                w.Double(104 + (8 * i), Pixdim[i]);
            }

            w.Int64(168, VoxOffset);
            w.Double(176, SclSlope);
            w.Double(184, SclInter);
            w.Ascii(240, 80, Description);
            w.Int32(344, QformCode);
            w.Int32(348, SformCode);
            w.Double(352, QuaternB);
            w.Double(360, QuaternC);
            w.Double(368, QuaternD);
            w.Double(376, QoffsetX);
            w.Double(384, QoffsetY);
            w.Double(392, QoffsetZ);
            for (var j = 0; j < 4; j++)
            {
                w.Double(400 + (8 * j), SrowX[j]);
                w.Double(432 + (8 * j), SrowY[j]);
                w.Double(464 + (8 * j), SrowZ[j]);
            }

            w.Int32(500, XyztUnits);
        }

        return bytes;
    }

    private readonly ref struct FieldReader(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        public ReadOnlySpan<byte> Bytes { get; } = bytes;

        public bool BigEndian { get; } = bigEndian;

        public short Int16(int o) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(Bytes[o..]) : BinaryPrimitives.ReadInt16LittleEndian(Bytes[o..]);

        public int Int32(int o) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(Bytes[o..]) : BinaryPrimitives.ReadInt32LittleEndian(Bytes[o..]);

        public long Int64(int o) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(Bytes[o..]) : BinaryPrimitives.ReadInt64LittleEndian(Bytes[o..]);

        public double Single(int o) => BigEndian ? BinaryPrimitives.ReadSingleBigEndian(Bytes[o..]) : BinaryPrimitives.ReadSingleLittleEndian(Bytes[o..]);

        public double Double(int o) => BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(Bytes[o..]) : BinaryPrimitives.ReadDoubleLittleEndian(Bytes[o..]);

        public string Ascii(int o, int length)
        {
            var field = Bytes.Slice(o, length);
            var end = field.IndexOf((byte)0);
            return Encoding.ASCII.GetString(end < 0 ? field : field[..end]);
        }
    }

    private readonly ref struct FieldWriter(Span<byte> bytes, bool bigEndian)
    {
        private readonly Span<byte> _bytes = bytes;

        public void Int16(int o, short v)
        {
            if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(_bytes[o..], v);
            else BinaryPrimitives.WriteInt16LittleEndian(_bytes[o..], v);
        }

        public void Int32(int o, int v)
        {
            if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(_bytes[o..], v);
            else BinaryPrimitives.WriteInt32LittleEndian(_bytes[o..], v);
        }

        public void Int64(int o, long v)
        {
            if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(_bytes[o..], v);
            else BinaryPrimitives.WriteInt64LittleEndian(_bytes[o..], v);
        }

        public void Single(int o, double v)
        {
            if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(_bytes[o..], (float)v);
            else BinaryPrimitives.WriteSingleLittleEndian(_bytes[o..], (float)v);
        }

        public void Double(int o, double v)
        {
            if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(_bytes[o..], v);
            else BinaryPrimitives.WriteDoubleLittleEndian(_bytes[o..], v);
        }

        public void Ascii(int o, int length, string s)
        {
            // Truncated to leave the terminating zero.
            _ = Encoding.ASCII.GetBytes(s.Length >= length ? s[..(length - 1)] : s, _bytes.Slice(o, length));
        }
    }
}
