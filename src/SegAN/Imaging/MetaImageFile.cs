using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace SegAN.Imaging;

/// <summary>
/// A MetaImage (ITK <c>.mha</c>/<c>.mhd</c>) file in memory: its header facts and its volumes (one for 2D or 3D,
/// one per index of the fourth axis for 4D), in the RAS world like every <see cref="Volume"/>.
/// </summary>
public sealed record MetaImage(
    string Path,
    NiftiDataType DataType,
    bool BigEndian,
    bool Compressed,
    int[] Shape,
    double[] Spacing,
    IReadOnlyList<Volume> Volumes)
{
    /// <summary>Voxel grid, spacing, origin and direction.</summary>
    public ImageGeometry Geometry => Volumes[0].Geometry;
}

/// <summary>
/// Reads MetaImage files (BraTS 2013/2015 shipped <c>.mha</c>): the text header (NDims, DimSize, ElementType,
/// ElementSpacing, Offset/Origin/Position, TransformMatrix, byte order, CompressedData, HeaderSize), the data
/// either LOCAL (after the header) or in a separate raw file, zlib-compressed or not. MetaImage coordinates are
/// LPS; the affine is converted to RAS (first two rows negated). Every error names the file.
/// </summary>
public static class MetaImageFile
{
    // Guards against scanning a large binary file for a header that is not there.
    private const int MaxHeaderBytes = 1 << 16;

    /// <summary>Reads a 2D, 3D or 4D MetaImage.</summary>
    /// <exception cref="SegANException">missing file, bad header, unsupported element type, truncated data.</exception>
    public static MetaImage Read(string path) => ReadCore(path, requireSingleVolume: false);

    /// <summary>Reads a MetaImage that must hold a single 2D or 3D volume.</summary>
    public static Volume ReadVolume(string path) => ReadCore(path, requireSingleVolume: true).Volumes[0];

    private static MetaImage ReadCore(string path, bool requireSingleVolume)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SegANException(Directory.Exists(path) ? $"{path}: is a folder, not a MetaImage file" : $"{path}: file not found");
        }

        // Only the header is read here (at most 64 KiB); the voxel data is streamed once its size is checked.
        byte[] bytes;
        long fileBytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            fileBytes = file.CanSeek ? file.Length : 0;
            bytes = new byte[Math.Min(fileBytes, MaxHeaderBytes)];
            file.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegANException($"{path}: cannot read: {e.Message}", e);
        }

        if (fileBytes == 0)
        {
            throw new SegANException($"{path}: empty, or not a regular file; not a MetaImage file");
        }

        var (fields, dataStart) = ParseHeader(bytes, path);
        string Get(string key) => fields.TryGetValue(key, out var v) ? v : throw new SegANException($"{path}: MetaImage header has no {key}");

        var ndims = ParseInts(Get("NDims"), "NDims", path)[0];
        if (ndims is < 2 or > 4)
        {
            throw new SegANException($"{path}: NDims = {ndims.ToString(CultureInfo.InvariantCulture)} is not supported (2, 3 or 4)");
        }

        var dimSize = ParseInts(Get("DimSize"), "DimSize", path);
        if (dimSize.Length != ndims || dimSize.Any(d => d < 1))
        {
            throw new SegANException($"{path}: DimSize '{Get("DimSize")}' must be {ndims.ToString(CultureInfo.InvariantCulture)} positive integers");
        }

        var total = ImageLimits.CheckVoxels(path, [.. dimSize.Select(d => (long)d)], "DimSize");

        if (fields.TryGetValue("ElementNumberOfChannels", out var channels) && channels.Trim() != "1")
        {
            throw new SegANException($"{path}: ElementNumberOfChannels = {channels} is not supported (scalar images only)");
        }

        if (fields.TryGetValue("ObjectType", out var objectType) && !objectType.Equals("Image", StringComparison.OrdinalIgnoreCase))
        {
            throw new SegANException($"{path}: ObjectType = {objectType} is not an image");
        }

        var type = ElementType(Get("ElementType"), path);
        var bigEndian = IsTrue(fields, "ElementByteOrderMSB") || IsTrue(fields, "BinaryDataByteOrderMSB");
        var compressed = IsTrue(fields, "CompressedData");
        var spatial = Math.Min(ndims, 3);
        var spacing = Vector(fields, ["ElementSpacing", "ElementSize"], ndims, 1, path);
        var origin = Vector(fields, ["Offset", "Origin", "Position"], ndims, 0, path);
        var matrix = Vector(fields, ["TransformMatrix", "Rotation", "Orientation"], ndims * ndims, double.NaN, path);

        // The LPS affine: column i is voxel axis i's direction (TransformMatrix lists them in turn, as ITK writes
        // it) times its spacing; then LPS -> RAS negates the first two rows.
        var affine = new double[4, 4];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                double direction = i == j ? 1 : 0;
                if (i < spatial && j < spatial && !double.IsNaN(matrix[0]))
                {
                    direction = matrix[(j * ndims) + i];
                }

                affine[i, j] = direction * (j < spatial ? spacing[j] : 1);
            }

            affine[i, 3] = i < spatial ? origin[i] : 0;
        }

        for (var j = 0; j < 4; j++)
        {
            affine[0, j] = -affine[0, j];
            affine[1, j] = -affine[1, j];
        }

        affine[3, 3] = 1;

        var shape3 = new[] { dimSize[0], dimSize[1], ndims >= 3 ? dimSize[2] : 1 };
        var spacing3 = new[] { spacing[0], spacing[1], ndims >= 3 ? spacing[2] : 1 };
        var volumeCount = ndims == 4 ? dimSize[3] : 1;
        if (requireSingleVolume && volumeCount != 1)
        {
            throw new SegANException($"{path}: a 4D MetaImage ({string.Join('x', dimSize)}) where a single 3D volume is required");
        }

        var perVolume = (long)shape3[0] * shape3[1] * shape3[2];
        var needed = ImageLimits.Bytes(path, total, type.ByteSize());
        var geometry = new ImageGeometry(shape3, spacing3, affine);
        var volumes = ReadVolumes(path, fields, dataStart, fileBytes, compressed, needed, perVolume, volumeCount, type, bigEndian, geometry);
        return new MetaImage(path, type, bigEndian, compressed, dimSize, spacing[..ndims], volumes);
    }

    /// <summary>Key = value lines up to and including ElementDataFile (always last); returns where data starts.</summary>
    private static (Dictionary<string, string> Fields, int DataStart) ParseHeader(byte[] bytes, string path)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var pos = 0;
        while (pos < bytes.Length && pos < MaxHeaderBytes)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', pos);
            var lineEnd = end < 0 ? bytes.Length : end;
            var line = Encoding.ASCII.GetString(bytes, pos, lineEnd - pos).TrimEnd('\r');
            pos = end < 0 ? bytes.Length : end + 1;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || line.Any(ch => ch < ' ' && ch != '\t'))
            {
                throw new SegANException($"{path}: not a MetaImage header (line '{Shorten(line)}' is not 'Key = Value', and no ElementDataFile line came before it)");
            }

            var key = line[..eq].Trim();
            fields[key] = line[(eq + 1)..].Trim();
            if (key.Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase))
            {
                return (fields, pos);
            }
        }

        throw new SegANException($"{path}: not a MetaImage file (no ElementDataFile line in its header)");
    }

    private static Volume[] ReadVolumes(
        string path,
        Dictionary<string, string> fields,
        int dataStart,
        long fileBytes,
        bool compressed,
        long needed,
        long perVolume,
        int volumeCount,
        NiftiDataType type,
        bool bigEndian,
        ImageGeometry geometry)
    {
        var dataFile = fields["ElementDataFile"];
        var local = dataFile.Equals("LOCAL", StringComparison.OrdinalIgnoreCase);
        string where;
        long start;
        long length;
        if (local)
        {
            (where, start, length) = (path, dataStart, fileBytes);
        }
        else if (dataFile.StartsWith("LIST", StringComparison.OrdinalIgnoreCase) || dataFile.Contains('%', StringComparison.Ordinal) || dataFile.Contains(' ', StringComparison.Ordinal))
        {
            throw new SegANException($"{path}: ElementDataFile = {dataFile}: file lists and patterns are not supported (LOCAL or one raw file)");
        }
        else
        {
            where = DataFilePath(path, dataFile);
            (start, length) = (0, new FileInfo(where).Length);
        }

        var available = length - start;
        if (fields.TryGetValue("HeaderSize", out var headerSizeText))
        {
            var headerSize = ParseInts(headerSizeText, "HeaderSize", path)[0];

            // -1: the data sits at the end of the file, after a header of unknown size (raw data only).
            var skip = headerSize >= 0 ? headerSize : compressed ? 0 : Math.Max(0, available - needed);
            start += skip;
            available -= skip;
        }

        if (available < 0)
        {
            throw new SegANException($"{where}: truncated MetaImage data (the file ends inside HeaderSize)");
        }

        // Sizes before allocation: raw data must be all there; zlib data cannot inflate past DEFLATE's ratio.
        if (compressed)
        {
            var most = ImageLimits.Bytes(where, available, NiftiFile.MaxDeflateRatio) + (1 << 16);
            if (most < needed)
            {
                throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"{where}: truncated or wrong DimSize: {available} bytes of compressed data inflate to at most {most}, DimSize and ElementType need {needed}"));
            }
        }
        else
        {
            if (available < needed)
            {
                throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"{where}: truncated or wrong DimSize: {available} bytes of data, DimSize and ElementType need {needed}"));
            }

            if (available > needed && local)
            {
                throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"{where}: DimSize does not match the data size: {available} bytes of data, DimSize and ElementType need {needed}"));
            }
        }

        try
        {
            using var file = new FileStream(where, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            file.Position = start;
            using var data = compressed ? new ZLibStream(file, CompressionMode.Decompress) : (Stream)file;
            var volumes = new Volume[volumeCount];
            var none = ReadOnlyMemory<byte>.Empty;
            for (var t = 0; t < volumeCount; t++)
            {
                var voxels = new float[perVolume];
                var got = VoxelCodec.ReadInto(ref none, data, type, bigEndian, voxels);
                if (got < perVolume * type.ByteSize())
                {
                    var have = (t * perVolume * type.ByteSize()) + got;
                    throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"{where}: truncated or wrong DimSize: the {(compressed ? "compressed " : string.Empty)}data holds {have} bytes, DimSize and ElementType need {needed}"));
                }

                volumes[t] = new Volume(voxels, geometry);
            }

            // Reading stops at what DimSize promised: a zlib stream inflating further is never read on.
            return volumes;
        }
        catch (InvalidDataException e)
        {
            throw new SegANException($"{where}: corrupt zlib data (CompressedData = True): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SegANException($"{where}: cannot read: {e.Message}", e);
        }
    }

    /// <summary>
    /// The data file an ElementDataFile names: a regular file inside the header's folder (symbolic links resolved),
    /// never an absolute path, a <c>..</c> escape or a device.
    /// </summary>
    private static string DataFilePath(string path, string dataFile)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var realFolder = OutputPath.RealPath(folder);
        var where = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, dataFile));
        if (System.IO.Path.IsPathRooted(dataFile) || !IsInside(where, folder))
        {
            throw new SegANException($"{path}: ElementDataFile = {dataFile} points outside the header's folder {folder}; the data file must sit beside the header");
        }

        if (!File.Exists(where))
        {
            throw new SegANException($"{path}: its data file {where} was not found");
        }

        var real = OutputPath.RealPath(where);
        if (!IsInside(real, realFolder))
        {
            throw new SegANException($"{path}: ElementDataFile = {dataFile} is a link to {real}, outside the header's folder {folder}");
        }

        using (var probe = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            if (!probe.CanSeek || probe.Length == 0)
            {
                throw new SegANException($"{path}: its data file {where} is empty or not a regular file");
            }
        }

        return real;
    }

    private static bool IsInside(string file, string folder) =>
        file.StartsWith(System.IO.Path.TrimEndingDirectorySeparator(folder) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static NiftiDataType ElementType(string name, string path) => name.ToUpperInvariant() switch
    {
        "MET_UCHAR" => NiftiDataType.UInt8,
        "MET_CHAR" => NiftiDataType.Int8,
        "MET_SHORT" => NiftiDataType.Int16,
        "MET_USHORT" => NiftiDataType.UInt16,
        "MET_INT" or "MET_LONG" => NiftiDataType.Int32, // MetaIO's LONG is 4 bytes
        "MET_UINT" or "MET_ULONG" => NiftiDataType.UInt32,
        "MET_LONG_LONG" => NiftiDataType.Int64,
        "MET_ULONG_LONG" => NiftiDataType.UInt64,
        "MET_FLOAT" => NiftiDataType.Float32,
        "MET_DOUBLE" => NiftiDataType.Float64,
        _ => throw new SegANException($"{path}: unsupported MetaImage ElementType {name}; SegAN reads MET_UCHAR, MET_CHAR, MET_SHORT, MET_USHORT, MET_INT, MET_UINT, MET_LONG, MET_ULONG, MET_LONG_LONG, MET_ULONG_LONG, MET_FLOAT and MET_DOUBLE"),
    };

    private static bool IsTrue(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var v) && (v.Equals("True", StringComparison.OrdinalIgnoreCase) || v == "1");

    private static double[] Vector(Dictionary<string, string> fields, string[] keys, int count, double fill, string path)
    {
        foreach (var key in keys)
        {
            if (fields.TryGetValue(key, out var text))
            {
                var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                var values = new double[count];
                if (parts.Length < count)
                {
                    throw new SegANException($"{path}: {key} '{text}' needs {count.ToString(CultureInfo.InvariantCulture)} numbers");
                }

                for (var i = 0; i < count; i++)
                {
                    if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                    {
                        throw new SegANException($"{path}: {key} '{text}' is not a list of numbers");
                    }
                }

                return values;
            }
        }

        return [.. Enumerable.Repeat(fill, count)];
    }

    private static int[] ParseInts(string text, string key, string path)
    {
        var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
            {
                throw new SegANException($"{path}: {key} '{text}' is not a list of integers");
            }
        }

        return values.Length > 0 ? values : throw new SegANException($"{path}: {key} is empty");
    }

    private static string Shorten(string line)
    {
        var printable = new string([.. line.Take(40).Select(ch => ch is >= ' ' and <= '~' ? ch : '?')]);
        return line.Length > 40 ? printable + "..." : printable;
    }
}
