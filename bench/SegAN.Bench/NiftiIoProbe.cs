using System.Diagnostics;
using SegAN.Imaging;

namespace SegAN.Bench;

/// <summary>
/// Times writing and reading one BraTS-sized volume (240x240x155) as int16 .nii and .nii.gz: the I/O cost per
/// modality that data loading and inference pay.
/// </summary>
internal static class NiftiIoProbe
{
    public static IEnumerable<string> Measure(int repeats = 3)
    {
        var folder = Directory.CreateTempSubdirectory("segan-bench-");
        try
        {
            // A smooth phantom-like field compresses like MRI (random data would not).
            var data = new float[240 * 240 * 155];
            for (var z = 0; z < 155; z++)
            {
                for (var y = 0; y < 240; y++)
                {
                    for (var x = 0; x < 240; x++)
                    {
                        var r2 = ((x - 120) * (x - 120)) + ((y - 120) * (y - 120)) + ((z - 77) * (z - 77) * 2);
                        data[x + (240 * (y + (240 * z)))] = r2 < 90 * 90 ? 1000 + (r2 % 97) : 0;
                    }
                }
            }

            var volume = new Volume(data, ImageGeometry.FromSpacing([240, 240, 155], [1, 1, 1]));
            foreach (var name in new[] { "t1.nii", "t1.nii.gz" })
            {
                var path = Path.Combine(folder.FullName, name);
                var (write, read) = (double.MaxValue, double.MaxValue);
                for (var i = 0; i < repeats; i++)
                {
                    var watch = Stopwatch.StartNew();
                    NiftiFile.Write(path, volume, NiftiDataType.Int16);
                    write = Math.Min(write, watch.Elapsed.TotalMilliseconds);
                    watch.Restart();
                    NiftiFile.ReadVolume(path);
                    read = Math.Min(read, watch.Elapsed.TotalMilliseconds);
                }

                yield return FormattableString.Invariant($"NIfTI int16 240x240x155 {name}: write {write:F0} ms, read {read:F0} ms, {new FileInfo(path).Length / 1e6:F1} MB");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
