namespace SegAN.Imaging;

/// <summary>
/// 4x4 voxel-to-world affine helpers: the NIfTI-1 quaternion form (qform) in both directions, orientation codes
/// (as nibabel's <c>aff2axcodes</c>) and small matrix utilities.
/// </summary>
public static class Affines
{
    /// <summary>The diagonal affine diag(spacing, 1): voxel (0,0,0) at the world origin.</summary>
    public static double[,] FromSpacing(IReadOnlyList<double> spacing)
    {
        ArgumentNullException.ThrowIfNull(spacing);
        var a = new double[4, 4];
        for (var i = 0; i < 3; i++)
        {
            a[i, i] = spacing[i];
        }

        a[3, 3] = 1;
        return a;
    }

    /// <summary>
    /// The qform affine of the NIfTI-1 standard (method 2): rotation from the quaternion (b, c, d) with
    /// a = sqrt(1 - b² - c² - d²), scaled by the voxel sizes, the third by qfac (the sign of pixdim[0]; 0 means 1),
    /// plus the offsets. Voxel sizes that are not positive count as 1, as in the reference implementation.
    /// </summary>
    public static double[,] FromQuaternion(double b, double c, double d, double qx, double qy, double qz, double dx, double dy, double dz, double qfac)
    {
        var a = 1.0 - ((b * b) + (c * c) + (d * d));
        if (a < 1e-7)
        {
            // Rounding made (b, c, d) slightly longer than a unit vector: a 180-degree rotation.
            a = 1.0 / Math.Sqrt((b * b) + (c * c) + (d * d));
            b *= a;
            c *= a;
            d *= a;
            a = 0;
        }
        else
        {
            a = Math.Sqrt(a);
        }

        dx = dx > 0 ? dx : 1;
        dy = dy > 0 ? dy : 1;
        dz = dz > 0 ? dz : 1;
        if (qfac < 0)
        {
            dz = -dz;
        }

        var m = new double[4, 4];
        m[0, 0] = ((a * a) + (b * b) - (c * c) - (d * d)) * dx;
        m[0, 1] = 2 * ((b * c) - (a * d)) * dy;
        m[0, 2] = 2 * ((b * d) + (a * c)) * dz;
        m[1, 0] = 2 * ((b * c) + (a * d)) * dx;
        m[1, 1] = ((a * a) + (c * c) - (b * b) - (d * d)) * dy;
        m[1, 2] = 2 * ((c * d) - (a * b)) * dz;
        m[2, 0] = 2 * ((b * d) - (a * c)) * dx;
        m[2, 1] = 2 * ((c * d) + (a * b)) * dy;
        m[2, 2] = ((a * a) + (d * d) - (c * c) - (b * b)) * dz;
        m[0, 3] = qx;
        m[1, 3] = qy;
        m[2, 3] = qz;
        m[3, 3] = 1;
        return m;
    }

    /// <summary>
    /// The NIfTI-1 quaternion parameters of an affine: columns are normalised (their lengths are the voxel
    /// sizes), a reflection goes into qfac = -1 (the third column flips), and the rotation becomes (b, c, d) with
    /// a ≥ 0. Shear, which a quaternion cannot hold, is dropped (the sform keeps the exact affine).
    /// </summary>
    public static (double B, double C, double D, double Qx, double Qy, double Qz, double Qfac) ToQuaternion(double[,] affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        var r = new double[3, 3];
        for (var j = 0; j < 3; j++)
        {
            var norm = Math.Sqrt((affine[0, j] * affine[0, j]) + (affine[1, j] * affine[1, j]) + (affine[2, j] * affine[2, j]));
            for (var i = 0; i < 3; i++)
            {
                // A zero column (degenerate affine) becomes the matching unit axis.
                r[i, j] = norm > 0 ? affine[i, j] / norm : (i == j ? 1 : 0);
            }
        }

        Orthonormalise(r);
        var qfac = 1.0;
        if (Det3(r) < 0)
        {
            qfac = -1;
            for (var i = 0; i < 3; i++)
            {
                r[i, 2] = -r[i, 2];
            }
        }

        // Rotation matrix to unit quaternion, picking the numerically largest component first.
        double a, b, c, d;
        var trace = r[0, 0] + r[1, 1] + r[2, 2];
        if (trace > 0)
        {
            a = 0.5 * Math.Sqrt(1 + trace);
            b = 0.25 * (r[2, 1] - r[1, 2]) / a;
            c = 0.25 * (r[0, 2] - r[2, 0]) / a;
            d = 0.25 * (r[1, 0] - r[0, 1]) / a;
        }
        else if (r[0, 0] > r[1, 1] && r[0, 0] > r[2, 2])
        {
            b = 0.5 * Math.Sqrt(1 + r[0, 0] - r[1, 1] - r[2, 2]);
            a = 0.25 * (r[2, 1] - r[1, 2]) / b;
            c = 0.25 * (r[0, 1] + r[1, 0]) / b;
            d = 0.25 * (r[0, 2] + r[2, 0]) / b;
        }
        else if (r[1, 1] > r[2, 2])
        {
            c = 0.5 * Math.Sqrt(1 - r[0, 0] + r[1, 1] - r[2, 2]);
            a = 0.25 * (r[0, 2] - r[2, 0]) / c;
            b = 0.25 * (r[0, 1] + r[1, 0]) / c;
            d = 0.25 * (r[1, 2] + r[2, 1]) / c;
        }
        else
        {
            d = 0.5 * Math.Sqrt(1 - r[0, 0] - r[1, 1] + r[2, 2]);
            a = 0.25 * (r[1, 0] - r[0, 1]) / d;
            b = 0.25 * (r[0, 2] + r[2, 0]) / d;
            c = 0.25 * (r[1, 2] + r[2, 1]) / d;
        }

        if (a < 0)
        {
            b = -b;
            c = -c;
            d = -d;
        }

        return (b, c, d, affine[0, 3], affine[1, 3], affine[2, 3], qfac);
    }

    /// <summary>
    /// Three letters naming the world direction each voxel axis points to (the largest component of its column,
    /// each world axis used once), e.g. "RAS" for a NIfTI in RAS+ order and "LPS" for a DICOM-like one.
    /// </summary>
    public static string OrientationCode(double[,] affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        const string positive = "RAS";
        const string negative = "LPI";
        var used = new bool[3];
        var letters = new char[3];
        var columns = new[] { 0, 1, 2 };

        // Assign the most decisive columns first so that an oblique axis cannot steal a world axis.
        Array.Sort(columns, (p, q) => Dominance(affine, q).CompareTo(Dominance(affine, p)));
        foreach (var j in columns)
        {
            var best = -1;
            for (var i = 0; i < 3; i++)
            {
                if (!used[i] && (best < 0 || Math.Abs(affine[i, j]) > Math.Abs(affine[best, j])))
                {
                    best = i;
                }
            }

            used[best] = true;
            letters[j] = affine[best, j] >= 0 ? positive[best] : negative[best];
        }

        return new string(letters);
    }

    /// <summary>The affine's rows as jagged arrays (for JSON).</summary>
    public static double[][] ToRows(double[,] m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var rows = new double[m.GetLength(0)][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new double[m.GetLength(1)];
            for (var j = 0; j < rows[i].Length; j++)
            {
                rows[i][j] = m[i, j];
            }
        }

        return rows;
    }

    private static double Dominance(double[,] a, int j)
    {
        var norm = Math.Sqrt((a[0, j] * a[0, j]) + (a[1, j] * a[1, j]) + (a[2, j] * a[2, j]));
        var max = Math.Max(Math.Abs(a[0, j]), Math.Max(Math.Abs(a[1, j]), Math.Abs(a[2, j])));
        return norm > 0 ? max / norm : 0;
    }

    private static double Det3(double[,] r) =>
        (r[0, 0] * ((r[1, 1] * r[2, 2]) - (r[1, 2] * r[2, 1])))
        - (r[0, 1] * ((r[1, 0] * r[2, 2]) - (r[1, 2] * r[2, 0])))
        + (r[0, 2] * ((r[1, 0] * r[2, 1]) - (r[1, 1] * r[2, 0])));

    // Gram-Schmidt on the columns: good enough for the nearly-orthogonal directions scanners write.
    private static void Orthonormalise(double[,] r)
    {
        for (var j = 0; j < 3; j++)
        {
            for (var k = 0; k < j; k++)
            {
                var dot = (r[0, j] * r[0, k]) + (r[1, j] * r[1, k]) + (r[2, j] * r[2, k]);
                for (var i = 0; i < 3; i++)
                {
                    r[i, j] -= dot * r[i, k];
                }
            }

            var norm = Math.Sqrt((r[0, j] * r[0, j]) + (r[1, j] * r[1, j]) + (r[2, j] * r[2, j]));
            if (norm < 1e-12)
            {
                throw new ArgumentException("the affine's voxel axes are not independent", nameof(r));
            }

            for (var i = 0; i < 3; i++)
            {
                r[i, j] /= norm;
            }
        }
    }
}
