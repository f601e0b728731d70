using System.Globalization;
using SegAN.Metrics;

namespace SegAN.Tests.Metrics;

/// <summary>Agreement with SciPy's <c>distance_transform_edt(sampling=...)</c> and a MONAI-style HD95 built on it.</summary>
public sealed class ScipyAgreementTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segan-scipy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public void DistanceTransformAndHd95_MatchScipy_OnRandomAnisotropicMasks()
    {
        ScipyReference.RequireOrSkip();

        // Given random mask pairs on grids with anisotropic voxels, written as raw bytes (x fastest)
        var random = new Random(77);
        var cases = new List<(MaskGrid Grid, bool[] A, bool[] B)>();
        var script = new System.Text.StringBuilder("""
            import numpy as np
            from scipy.ndimage import binary_erosion, distance_transform_edt
            def load(name, shape):
                return np.fromfile(name, dtype=np.uint8).reshape(shape[::-1]).astype(bool)
            def edges(m):
                return m ^ binary_erosion(m)
            def hd(a, b, sampling, q):
                ea, eb = edges(a), edges(b)
                dab = distance_transform_edt(~eb, sampling=sampling)[ea]
                dba = distance_transform_edt(~ea, sampling=sampling)[eb]
                return max(np.percentile(dab, q), np.percentile(dba, q))

            """);
        for (var k = 0; k < 6; k++)
        {
            var grid = new MaskGrid([12 + random.Next(20), 10 + random.Next(20), 6 + random.Next(12)], [0.6 + random.NextDouble(), 0.9 + random.NextDouble(), 1.5 + (3 * random.NextDouble())]);
            var a = RandomMasks.Blobs(random, grid, blobs: 3, noise: 0.002);
            var b = RandomMasks.Blobs(random, grid, blobs: 2, noise: 0.002);
            cases.Add((grid, a, b));
            File.WriteAllBytes(Path.Combine(_dir, $"a{k}.raw"), a.Select(v => v ? (byte)1 : (byte)0).ToArray());
            File.WriteAllBytes(Path.Combine(_dir, $"b{k}.raw"), b.Select(v => v ? (byte)1 : (byte)0).ToArray());
            var shape = string.Join(", ", grid.Shape);
            // NumPy axes are (z, y, x), so the sampling is reversed too.
            var sampling = string.Join(", ", grid.Spacing.Reverse().Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
            script.AppendLine(CultureInfo.InvariantCulture, $"a = load('a{k}.raw', ({shape})); b = load('b{k}.raw', ({shape}))");
            script.AppendLine(CultureInfo.InvariantCulture, $"distance_transform_edt(~a, sampling=({sampling})).astype('<f8').tofile('edt{k}.raw')");
            script.AppendLine(CultureInfo.InvariantCulture, $"print(repr(hd(a, b, ({sampling}), 95)), repr(hd(a, b, ({sampling}), 100)))");
        }

        // When SciPy computes the distance transform and HD95
        var reference = ScipyReference.ParseNumbers(ScipyReference.Run(script.ToString(), _dir));

        // Then ours agrees voxel by voxel and metric by metric
        for (var k = 0; k < cases.Count; k++)
        {
            var (grid, a, b) = cases[k];
            var edt = EuclideanDistanceTransform.SquaredDistances(a, grid);
            var bytes = File.ReadAllBytes(Path.Combine(_dir, $"edt{k}.raw"));
            var scipyEdt = new double[bytes.Length / 8];
            Buffer.BlockCopy(bytes, 0, scipyEdt, 0, bytes.Length);
            Assert.Equal(scipyEdt.Length, edt.Length);
            for (var i = 0; i < edt.Length; i++)
            {
                Assert.True(Math.Abs(Math.Sqrt(edt[i]) - scipyEdt[i]) < 1e-9, $"case {k} voxel {i}: ours {Math.Sqrt(edt[i])}, scipy {scipyEdt[i]}");
            }

            Assert.Equal(reference[2 * k], HausdorffDistance.Percentile95(a, b, grid), 9);
            Assert.Equal(reference[(2 * k) + 1], HausdorffDistance.Percentile(a, b, grid, 100), 9);
        }
    }
}
