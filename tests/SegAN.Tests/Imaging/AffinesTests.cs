using SegAN.Imaging;
using static SegAN.Tests.Imaging.ImagingTestSupport;

namespace SegAN.Tests.Imaging;

public sealed class AffinesTests
{
    private static double[,] Matrix(double[] r0, double[] r1, double[] r2) => new double[,]
    {
        { r0[0], r0[1], r0[2], 0 }, { r1[0], r1[1], r1[2], 0 }, { r2[0], r2[1], r2[2], 0 }, { 0, 0, 0, 1 },
    };

    [Theory]
    [InlineData(1, 0, 0, 0, 1, 0, 0, 0, 1, "RAS")]
    [InlineData(-1, 0, 0, 0, -1, 0, 0, 0, 1, "LPS")]
    [InlineData(0, 0, 1, 1, 0, 0, 0, -1, 0, "AIR")] // voxel x -> world y (A), y -> -z (I), z -> x (R)
    [InlineData(0.9, 0.1, 0, -0.1, 0.9, 0, 0, 0, -2, "RAI")] // slightly oblique
    public void OrientationCode_NamesEachVoxelAxisDirection(double a, double b, double c, double d, double e, double f, double g, double h, double i, string expected)
    {
        Assert.Equal(expected, Affines.OrientationCode(Matrix([a, b, c], [d, e, f], [g, h, i])));
    }

    [Theory]
    [InlineData(1, 0, 0, 0, 1, 0, 0, 0, 1)]
    [InlineData(-1, 0, 0, 0, -1, 0, 0, 0, 1)] // 180° about z
    [InlineData(-1, 0, 0, 0, 1, 0, 0, 0, 1)] // a reflection: qfac -1
    [InlineData(0, 0, 1, 1, 0, 0, 0, 1, 0)] // a permutation
    [InlineData(0.36, 0.48, -0.8, -0.8, 0.6, 0, 0.48, 0.64, 0.6)] // a general rotation
    public void ToQuaternion_ThenFromQuaternion_GivesTheAffineBack(double a, double b, double c, double d, double e, double f, double g, double h, double i)
    {
        // Given an affine with voxel sizes (2, 3, 4) and an offset
        double[] sizes = [2, 3, 4];
        var m = Matrix([a, b, c], [d, e, f], [g, h, i]);
        for (var col = 0; col < 3; col++)
        {
            for (var row = 0; row < 3; row++)
            {
                m[row, col] *= sizes[col];
            }
        }

        (m[0, 3], m[1, 3], m[2, 3]) = (5, -6, 7);

        // When it goes to quaternion form and back
        var q = Affines.ToQuaternion(m);
        var back = Affines.FromQuaternion(q.B, q.C, q.D, q.Qx, q.Qy, q.Qz, 2, 3, 4, q.Qfac);

        // Then it is unchanged
        NiftiFileTests.AssertAffine(m, back, 1e-12);
    }

    [SkippableFact]
    public void OrientationCode_AgreesWithNibabelAff2axcodes()
    {
        // Given axis-aligned, flipped, permuted and oblique (up to ~40°) affines from a fixed seed
        var random = new Random(7);
        var affines = new List<double[,]>();
        for (var k = 0; k < 40; k++)
        {
            var (ax, ay, az) = ((random.NextDouble() - 0.5) * 1.4, (random.NextDouble() - 0.5) * 1.4, (random.NextDouble() - 0.5) * 1.4);
            var perm = new[] { 0, 1, 2 }.OrderBy(_ => random.Next()).ToArray();
            var m = new double[4, 4];
            var rotation = Rotation(ax, ay, az);
            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    m[i, j] = rotation[i, perm[j]] * (random.Next(2) == 0 ? -1 : 1) * (j + 1);
                }
            }

            m[3, 3] = 1;
            affines.Add(m);
        }

        // When nibabel names their axes
        var text = string.Join(';', affines.Select(a => string.Join(',', Affines.ToRows(a).SelectMany(r => r).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        var output = Nibabel(
            "import sys, numpy as np, nibabel as nib\n" +
            "for a in sys.argv[1].split(';'):\n" +
            "    m = np.array([float(v) for v in a.split(',')]).reshape(4, 4)\n" +
            "    print(''.join(nib.aff2axcodes(m)))\n",
            text);
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Then our codes are the same
        Assert.Equal(expected, affines.Select(Affines.OrientationCode).ToArray());
    }

    private static double[,] Rotation(double ax, double ay, double az)
    {
        double[,] x = { { 1, 0, 0 }, { 0, Math.Cos(ax), -Math.Sin(ax) }, { 0, Math.Sin(ax), Math.Cos(ax) } };
        double[,] y = { { Math.Cos(ay), 0, Math.Sin(ay) }, { 0, 1, 0 }, { -Math.Sin(ay), 0, Math.Cos(ay) } };
        double[,] z = { { Math.Cos(az), -Math.Sin(az), 0 }, { Math.Sin(az), Math.Cos(az), 0 }, { 0, 0, 1 } };
        return Multiply(z, Multiply(y, x));
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var c = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    c[i, j] += a[i, k] * b[k, j];
                }
            }
        }

        return c;
    }
}
