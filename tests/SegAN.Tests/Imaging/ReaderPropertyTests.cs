using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsCheck;
using SegAN.Imaging;
using static SegAN.Tests.Imaging.ImagingTestSupport;

namespace SegAN.Tests.Imaging;

/// <summary>
/// Issue 15: property tests of the NIfTI and MetaImage readers. Valid files with random header fields overwritten,
/// random bytes appended and random truncations (NIfTI), and headers of random fields over random data (MetaImage),
/// must give a clean <see cref="SegANException"/> or a valid volume: never another exception, never a hang.
/// </summary>
public sealed class ReaderPropertyTests : IDisposable
{
    private const long Iterations = 1500;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // (offset, width in bytes, floating point?) of the NIfTI-1 and NIfTI-2 header fields a reader interprets.
    private static readonly (int Offset, int Size, bool Float)[] Nifti1Fields =
    [
        (0, 4, false), (40, 2, false), (42, 2, false), (44, 2, false), (46, 2, false), (48, 2, false), (50, 2, false), (52, 2, false), (54, 2, false),
        (70, 2, false), (72, 2, false), (76, 4, true), (80, 4, true), (84, 4, true), (88, 4, true), (108, 4, true), (112, 4, true), (116, 4, true),
        (252, 2, false), (254, 2, false), (256, 4, true), (260, 4, true), (264, 4, true), (280, 4, true), (300, 4, true), (320, 4, true), (344, 1, false),
    ];

    private static readonly (int Offset, int Size, bool Float)[] Nifti2Fields =
    [
        (0, 4, false), (4, 1, false), (12, 2, false), (14, 2, false), (16, 8, false), (24, 8, false), (32, 8, false), (40, 8, false), (48, 8, false),
        (56, 8, false), (104, 8, true), (112, 8, true), (120, 8, true), (168, 8, false), (176, 8, true), (184, 8, true), (344, 4, false), (348, 4, false),
        (352, 8, true), (360, 8, true), (400, 8, true), (432, 8, true), (464, 8, true),
    ];

    private static readonly double[] Special = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0, -0.0, 1e30, -1e30, 1e-40, 0.5];

    private static readonly Gen<double> Value = Gen.OneOf(
        Gen.Int[-3, 70].Select(i => (double)i),
        Gen.Int[0, Special.Length - 1].Select(i => Special[i]),
        Gen.Int[short.MinValue, short.MaxValue].Select(i => (double)i),
        Gen.Long.Select(l => (double)l),
        Gen.Double);

    private static readonly Gen<(int Field, double Value)[]> Mutations = Gen.Select(Gen.Int[0, 63], Value).Array[0, 4];

    [Fact]
    public void Nifti_RandomHeaderFieldsAndTruncations_GiveACleanErrorOrAValidImage()
    {
        // Given valid files: NIfTI-1 int16 3D, NIfTI-1 float32 4D gzipped, NIfTI-2 uint8, NIfTI-2 big-endian int16 gzipped
        var templates = new[]
        {
            Template(NiftiVersion.Nifti1, NiftiDataType.Int16, false, 1, false),
            Template(NiftiVersion.Nifti1, NiftiDataType.Float32, false, 2, true),
            Template(NiftiVersion.Nifti2, NiftiDataType.UInt8, false, 1, false),
            Template(NiftiVersion.Nifti2, NiftiDataType.Int16, true, 1, true),
        };
        var gen = Gen.Select(Gen.Int[0, templates.Length - 1], Mutations, Gen.Byte.Array[0, 40], Gen.Int[-1, 700]);
        var path = _dir.File("fuzz.nii");

        gen.Sample(
            (template, mutations, extra, cut) =>
            {
                var (raw, version, gzip) = templates[template];
                var bytes = (byte[])raw.Clone();
                var fields = version == NiftiVersion.Nifti1 ? Nifti1Fields : Nifti2Fields;
                var bigEndian = BinaryPrimitives.ReadInt32LittleEndian(bytes) is not (348 or 540);
                foreach (var (field, value) in mutations)
                {
                    Poke(bytes, fields[field % fields.Length], value, bigEndian);
                }

                var file = gzip ? Gzip([.. bytes, .. extra]) : [.. bytes, .. extra];
                File.WriteAllBytes(path, cut >= 0 && cut < file.Length ? file[..cut] : file);
                ReadsCleanly(() => NiftiFile.Read(path).Volumes);
                ReadsCleanly(() =>
                {
                    _ = ImageFile.ReadInfo(path);
                    return [];
                });
            },
            iter: Iterations,
            threads: 1,
            print: t => $"template {t.Item1}, mutations [{string.Join(", ", t.Item2.Select(m => $"{m.Field}={m.Value}"))}], extra {t.Item3.Length}, cut {t.Item4}");
    }

    [Fact]
    public void MetaImage_RandomHeadersOverRandomData_GiveACleanErrorOrAValidImage()
    {
        string[] ndims = ["2", "3", "4", "0", "-1", "5", "99999999999", "x", ""];
        string[] dims = ["1", "2", "3", "4", "0", "-1", "65535", "2147483647", "3000000000", "a", "2.5"];
        string[] types = ["MET_UCHAR", "MET_CHAR", "MET_SHORT", "MET_USHORT", "MET_INT", "MET_UINT", "MET_LONG_LONG", "MET_FLOAT", "MET_DOUBLE", "MET_FOO"];
        string[] headerSizes = ["", "-1", "0", "3", "100000", "-7", "z"];
        string[] dataFiles = ["LOCAL", "LOCAL", "LOCAL", "data.raw", "missing.raw", "../outside.raw", "/dev/zero", "LIST", "a b.raw"];
        string[] vectors = ["", "1 1 1", "0.5 2 3 4", "nan inf -inf", "1e308 1e308 1e308", "x y z", "1"];
        File.WriteAllBytes(_dir.File("data.raw"), [.. Enumerable.Range(0, 96).Select(i => (byte)i)]);

        var header = Gen.Select(
            Gen.Int[0, ndims.Length - 1],
            Gen.Int[0, dims.Length - 1].Array[0, 5],
            Gen.Int[0, types.Length - 1],
            Gen.Int[0, headerSizes.Length - 1],
            Gen.Int[0, dataFiles.Length - 1],
            Gen.Int[0, vectors.Length - 1].Array[3],
            Gen.Bool.Array[3]);
        var gen = Gen.Select(header, Gen.Byte.Array[0, 200], Gen.Int[0, 500], Gen.Int[-1, 400]);
        var path = _dir.File("fuzz.mha");

        gen.Sample(
            (h, data, zeros, cut) =>
            {
                var (n, d, t, hs, df, v, flags) = h;
                var text = new StringBuilder()
                    .Append(CultureInfo.InvariantCulture, $"ObjectType = Image\nNDims = {ndims[n]}\nDimSize = {string.Join(' ', d.Select(i => dims[i]))}\n")
                    .Append(CultureInfo.InvariantCulture, $"ElementType = {types[t]}\nElementByteOrderMSB = {flags[0]}\nCompressedData = {flags[1]}\n")
                    .Append(CultureInfo.InvariantCulture, $"ElementSpacing = {vectors[v[0]]}\nOffset = {vectors[v[1]]}\nTransformMatrix = {vectors[v[2]]}\n")
                    .Append(headerSizes[hs].Length > 0 ? $"HeaderSize = {headerSizes[hs]}\n" : string.Empty)
                    .Append(CultureInfo.InvariantCulture, $"ElementDataFile = {dataFiles[df]}\n")
                    .ToString();

                // Compressed headers get either random bytes or a real zlib stream of zeros.
                var payload = flags[1] && flags[2] ? Zlib(new byte[zeros]) : flags[2] ? new byte[zeros] : data;
                byte[] file = [.. Encoding.ASCII.GetBytes(text), .. payload];
                File.WriteAllBytes(path, cut >= 0 && cut < file.Length ? file[..cut] : file);
                ReadsCleanly(() => MetaImageFile.Read(path).Volumes);
            },
            iter: Iterations,
            threads: 1);
    }

    // Either a SegANException or volumes whose data fits their shape.
    private static void ReadsCleanly(Func<IReadOnlyList<Volume>> read)
    {
        IReadOnlyList<Volume> volumes;
        try
        {
            volumes = read();
        }
        catch (SegANException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return;
        }

        foreach (var v in volumes)
        {
            Assert.Equal((long)v.Nx * v.Ny * v.Nz, v.Data.LongLength);
            Assert.Equal(4, v.Geometry.Affine.GetLength(0));
        }
    }

    private (byte[] Raw, NiftiVersion Version, bool Gzip) Template(NiftiVersion version, NiftiDataType type, bool bigEndian, int volumes, bool gzip)
    {
        var path = _dir.File($"template-{version}-{type}-{bigEndian}-{volumes}.nii");
        NiftiFile.Write(path, [.. Enumerable.Range(0, volumes).Select(_ => Ramp(4, 3, 2))], type, version, bigEndian);
        return (File.ReadAllBytes(path), version, gzip);
    }

    private static void Poke(byte[] bytes, (int Offset, int Size, bool Float) field, double value, bool bigEndian)
    {
        var span = bytes.AsSpan(field.Offset, field.Size);
        long whole = double.IsFinite(value) ? (long)Math.Clamp(value, long.MinValue, long.MaxValue) : 0;
        switch (field.Size, field.Float)
        {
            case (1, _):
                span[0] = (byte)whole;
                break;
            case (2, _):
                if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(span, (short)whole);
                else BinaryPrimitives.WriteInt16LittleEndian(span, (short)whole);
                break;
            case (4, true):
                if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(span, (float)value);
                else BinaryPrimitives.WriteSingleLittleEndian(span, (float)value);
                break;
            case (4, false):
                if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(span, (int)whole);
                else BinaryPrimitives.WriteInt32LittleEndian(span, (int)whole);
                break;
            case (8, true):
                if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(span, value);
                else BinaryPrimitives.WriteDoubleLittleEndian(span, value);
                break;
            default:
                if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(span, whole);
                else BinaryPrimitives.WriteInt64LittleEndian(span, whole);
                break;
        }
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static byte[] Zlib(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest))
        {
            zlib.Write(bytes);
        }

        return output.ToArray();
    }
}
