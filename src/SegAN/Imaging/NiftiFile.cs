using System.Globalization;
using System.IO.Compression;

namespace SegAN.Imaging;

/// <summary>
/// Reads and writes single-file NIfTI-1 and NIfTI-2 images (<c>.nii</c>, and <c>.nii.gz</c> through gzip),
/// written from the NIfTI-1 and NIfTI-2 specifications. Reading detects the version and byte order from
/// sizeof_hdr, skips header extensions through vox_offset and applies scl_slope/scl_inter. Writing is atomic.
/// Every error names the file.
/// </summary>
public static class NiftiFile
{
    /// <summary>
    /// Reads a NIfTI file: header and every 3D volume (a 4D file gives dim[4] volumes).
    /// </summary>
    /// <exception cref="SegANException">missing file, not NIfTI, unsupported datatype, truncated data or dims that
    /// do not match the data size.</exception>
    public static NiftiImage Read(string path) => ReadCore(path, requireSingleVolume: false);

    /// <summary>Reads a NIfTI file that must hold exactly one 3D volume (dim[4] and above all 1).</summary>
    public static Volume ReadVolume(string path) => ReadCore(path, requireSingleVolume: true).Volumes[0];

    /// <summary>Reads only the header (cheap even for a large .nii.gz).</summary>
    public static NiftiHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = Open(path, out _, out _);
        var buffer = new byte[NiftiHeader.Nifti2HeaderSize];
        var n = ReadUpTo(stream, buffer, path);
        return NiftiHeader.Parse(buffer.AsSpan(0, n), path);
    }

    /// <summary>
    /// Writes one 3D volume. The file is gzip-compressed when <paramref name="path"/> ends in <c>.nii.gz</c>.
    /// Geometry comes from <see cref="ImageGeometry.Nifti"/> when present and still describing
    /// <see cref="ImageGeometry.Affine"/> (so that a label map copies its image's header: pixdim, qform, sform,
    /// codes, units), else from the affine (sform, code 2 "aligned") and its rotation (qform, code 1 "scanner").
    /// Integer types get values rounded; a value the type cannot hold is an error and nothing is written.
    /// </summary>
    public static void Write(string path, Volume volume, NiftiDataType dataType = NiftiDataType.Float32, NiftiVersion version = NiftiVersion.Nifti1, bool bigEndian = false)
    {
        ArgumentNullException.ThrowIfNull(volume);
        Write(path, [volume], dataType, version, bigEndian);
    }

    /// <summary>
    /// Writes volumes of equal shape as one file: 3D for one volume, 4D (dim[4] = count) for several. The first
    /// volume's geometry is used; see <see cref="Write(string, Volume, NiftiDataType, NiftiVersion, bool)"/>.
    /// </summary>
    public static void Write(string path, IReadOnlyList<Volume> volumes, NiftiDataType dataType = NiftiDataType.Float32, NiftiVersion version = NiftiVersion.Nifti1, bool bigEndian = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(volumes);
        if (volumes.Count == 0)
        {
            throw new ArgumentException("no volumes to write", nameof(volumes));
        }

        if (!Enum.IsDefined(dataType))
        {
            throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "not a supported voxel type");
        }

        var shape = volumes[0].Geometry.Shape;
        foreach (var v in volumes)
        {
            if (!v.Geometry.Shape.AsSpan().SequenceEqual(shape))
            {
                throw new ArgumentException("every volume of a 4D file must have the same shape", nameof(volumes));
            }
        }

        var compress = path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);
        if (!compress && !path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase))
        {
            throw new SegANException($"{path}: a NIfTI file name must end in .nii or .nii.gz");
        }

        var header = BuildHeader(volumes[0].Geometry, volumes.Count, dataType, version, bigEndian, path);
        var headerBytes = header.ToBytes();
        void WriteBody(Stream output)
        {
            output.Write(headerBytes);
            var buffer = new byte[checked(volumes[0].Data.Length * dataType.ByteSize())];
            foreach (var v in volumes)
            {
                VoxelCodec.Encode(v.Data, dataType, bigEndian, buffer, path);
                output.Write(buffer);
            }
        }

        AtomicFile.Write(path, stream =>
        {
            if (compress)
            {
                using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
                WriteBody(gzip);
            }
            else
            {
                WriteBody(stream);
            }
        });
    }

    private static NiftiHeader BuildHeader(ImageGeometry g, int count, NiftiDataType dataType, NiftiVersion version, bool bigEndian, string path)
    {
        var dim = new long[] { count > 1 ? 4 : 3, g.Shape[0], g.Shape[1], g.Shape[2], count, 1, 1, 1 };
        var header = new NiftiHeader
        {
            Version = version,
            BigEndian = bigEndian,
            DataType = dataType,
            Dim = dim,
            VoxOffset = (version == NiftiVersion.Nifti1 ? NiftiHeader.Nifti1HeaderSize : NiftiHeader.Nifti2HeaderSize) + 4,
            SclSlope = 1,
            SclInter = 0,
            Description = "SegAN.NET",
        };

        if (version == NiftiVersion.Nifti1 && (g.Shape.Any(d => d > short.MaxValue) || count > short.MaxValue))
        {
            throw new SegANException($"{path}: dims {string.Join('x', g.Shape)} (x{count.ToString(CultureInfo.InvariantCulture)}) exceed NIfTI-1's limit of 32767 per axis; write NIfTI-2");
        }

        if (g.Nifti is { } n && n.Pixdim.Length == 8)
        {
            var copied = header with
            {
                Pixdim = (double[])n.Pixdim.Clone(),
                QformCode = n.QformCode,
                SformCode = n.SformCode,
                QuaternB = n.QuaternB,
                QuaternC = n.QuaternC,
                QuaternD = n.QuaternD,
                QoffsetX = n.QoffsetX,
                QoffsetY = n.QoffsetY,
                QoffsetZ = n.QoffsetZ,
                SrowX = (double[])n.SrowX.Clone(),
                SrowY = (double[])n.SrowY.Clone(),
                SrowZ = (double[])n.SrowZ.Clone(),
                XyztUnits = n.XyztUnits,
            };

            // A geometry changed after reading (cropped, resampled) may still carry the source's header fields
            // (a record `with` copies them): use them only when they still describe this geometry's affine.
            if (SameAffine(copied.Affine, g.Affine))
            {
                return copied;
            }
        }

        var a = g.Affine;
        (double B, double C, double D, double Qx, double Qy, double Qz, double Qfac) q;
        try
        {
            q = Affines.ToQuaternion(a);
        }
        catch (ArgumentException e)
        {
            throw new SegANException($"{path}: cannot write a NIfTI qform: {e.Message}", e);
        }

        return header with
        {
            Pixdim = [q.Qfac, g.Spacing[0], g.Spacing[1], g.Spacing[2], 1, 1, 1, 1],
            QformCode = 1,
            SformCode = 2,
            QuaternB = q.B,
            QuaternC = q.C,
            QuaternD = q.D,
            QoffsetX = q.Qx,
            QoffsetY = q.Qy,
            QoffsetZ = q.Qz,
            SrowX = [a[0, 0], a[0, 1], a[0, 2], a[0, 3]],
            SrowY = [a[1, 0], a[1, 1], a[1, 2], a[1, 3]],
            SrowZ = [a[2, 0], a[2, 1], a[2, 2], a[2, 3]],
            XyztUnits = count > 1 ? 2 | 8 : 2, // mm, and seconds for a time series
        };
    }

    private static bool SameAffine(double[,] a, double[,] b)
    {
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                if (!(Math.Abs(a[i, j] - b[i, j]) <= 1e-4 * Math.Max(1, Math.Abs(b[i, j]))))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static NiftiImage ReadCore(string path, bool requireSingleVolume)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = Open(path, out var compressed, out var fileBytes);
        var head = new byte[NiftiHeader.Nifti2HeaderSize];
        var got = ReadUpTo(stream, head, path);
        var header = NiftiHeader.Parse(head.AsSpan(0, got), path);
        if (requireSingleVolume && header.VolumeCount != 1)
        {
            throw new SegANException($"{path}: a {header.Dim[0].ToString(CultureInfo.InvariantCulture)}D NIfTI ({string.Join('x', header.Shape)}) where a single 3D volume is required");
        }

        // Sizes before allocation: the ceiling on voxels, then the bytes the file can hold (exactly, uncompressed;
        // at most DEFLATE's largest ratio times the compressed size, gzipped).
        var size = header.DataType.ByteSize();
        var perVolume = header.VoxelsPerVolume;
        var total = ImageLimits.CheckVoxels(path, header.Shape, "NIfTI dims");
        var needed = ImageLimits.Bytes(path, total, size);
        var dataMax = compressed ? ImageLimits.Bytes(path, fileBytes, MaxDeflateRatio) + (1 << 16) : fileBytes - header.VoxOffset;
        if (dataMax < needed)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: truncated or wrong dims: dims {string.Join('x', header.Shape)} of {header.DataType.Name()} need {needed} bytes of voxel data after vox_offset {header.VoxOffset}, the {(compressed ? $"{fileBytes}-byte gzip file can hold at most {dataMax}" : $"file has {Math.Max(0, dataMax)}")}"));
        }

        // Bytes of the header buffer that are already voxel data (vox_offset below 540), then skip extensions.
        ReadOnlyMemory<byte> pending = header.VoxOffset < got ? head.AsMemory((int)header.VoxOffset, got - (int)header.VoxOffset) : Memory<byte>.Empty;
        Skip(stream, header.VoxOffset - got, path, header);

        var shape = new[] { (int)Extent(header, 1), (int)Extent(header, 2), (int)Extent(header, 3) };
        var geometry = new ImageGeometry(shape, header.Spacing, header.Affine) { Nifti = header.Geometry };
        var volumes = new Volume[header.VolumeCount];
        for (var t = 0; t < volumes.Length; t++)
        {
            var data = new float[perVolume];
            var filled = VoxelCodec.ReadInto(ref pending, stream, header.DataType, header.BigEndian, data);
            if (filled < perVolume * size)
            {
                var have = (t * perVolume * size) + filled;
                throw new SegANException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: truncated or wrong dims: dims {string.Join('x', header.Shape)} of {header.DataType.Name()} need {needed} bytes of voxel data after vox_offset {header.VoxOffset}, the file has {have}"));
            }

            if (header.HasScaling && (header.SclSlope != 1 || header.SclInter != 0))
            {
                // In double, then rounded once: as close to the stored value as float32 allows.
                var (slope, inter) = (header.SclSlope, double.IsFinite(header.SclInter) ? header.SclInter : 0);
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] = (float)((data[i] * slope) + inter);
                }
            }

            volumes[t] = new Volume(data, geometry);
        }

        // Never read past what the header promised: one byte more is enough to know the dims are wrong.
        if (!pending.IsEmpty || stream.ReadByte() >= 0)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"{path}: dims {string.Join('x', header.Shape)} of {header.DataType.Name()} ({needed} bytes) do not match the data size: the file has more voxel data after vox_offset {header.VoxOffset}"));
        }

        return new NiftiImage(path, header, volumes);
    }

    /// <summary>DEFLATE's largest expansion (about 1032:1), rounded up: a gzip file cannot inflate to more than this times its size.</summary>
    internal const long MaxDeflateRatio = 1100;

    private static long Extent(NiftiHeader h, int i) => i <= h.Dim[0] ? h.Dim[i] : 1;

    /// <summary>Opens the file, decompressing when it starts with the gzip signature (whatever its name).</summary>
    private static Stream Open(string path, out bool compressed, out long fileBytes)
    {
        if (!File.Exists(path))
        {
            throw new SegANException(Directory.Exists(path) ? $"{path}: is a folder, not a NIfTI file" : $"{path}: file not found");
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegANException($"{path}: cannot open: {e.Message}", e);
        }

        // The size on disk is what the file holds: a device or a FIFO (/dev/zero, a pipe) is refused, never read.
        fileBytes = file.CanSeek ? file.Length : 0;
        if (fileBytes == 0)
        {
            file.Dispose();
            throw new SegANException($"{path}: empty, or not a regular file; not NIfTI");
        }

        var b0 = file.ReadByte();
        var b1 = file.ReadByte();
        file.Position = 0;
        compressed = b0 == 0x1f && b1 == 0x8b;
        return compressed ? new GzipErrors(new GZipStream(file, CompressionMode.Decompress), path) : file;
    }

    private static int ReadUpTo(Stream stream, byte[] buffer, string path) =>
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) is var n && n > 0
            ? n
            : throw new SegANException($"{path}: empty file, not NIfTI");

    private static void Skip(Stream stream, long count, string path, NiftiHeader header)
    {
        var scratch = new byte[8192];
        while (count > 0)
        {
            var n = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, count));
            if (n == 0)
            {
                throw new SegANException($"{path}: truncated: the file ends before vox_offset {header.VoxOffset.ToString(CultureInfo.InvariantCulture)}");
            }

            count -= n;
        }
    }

    /// <summary>Turns a corrupt gzip stream's InvalidDataException into an error naming the file.</summary>
    private sealed class GzipErrors(Stream inner, string path) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw new SegANException($"{path}: corrupt gzip data: {e.Message}", e);
            }
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
