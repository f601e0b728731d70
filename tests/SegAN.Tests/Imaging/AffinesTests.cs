using SegAN.Imaging;

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
}
