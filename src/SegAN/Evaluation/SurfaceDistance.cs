using SegAN.Metrics;

namespace SegAN.Evaluation;

/// <summary>
/// Surface distances as DeepMind's <c>surface-distance</c> package defines them, the definition the BraTS 2023-2024
/// lesion-wise evaluation calls (<c>compute_surface_distances</c>, <c>compute_robust_hausdorff</c>). It differs
/// from <see cref="HausdorffDistance"/> (MONAI's) in where the surface lies and how it is counted: surface
/// elements sit on voxel corners, one wherever the 2x2x2 voxels around a corner are neither all inside nor all
/// outside the mask, and each carries the area of the marching-cubes triangles of its configuration, so the
/// percentile is taken over area rather than over voxels. Axes are x, y, z (x fastest), as NIfTI files and
/// nibabel's arrays order them.
/// </summary>
internal static class SurfaceDistance
{
    /// <summary>The percentile Hausdorff distance when one surface is missing (the package's infinity).</summary>
    public const double NoSurface = double.PositiveInfinity;

    // Marching-cubes surface normals per 2x2x2 configuration, in eighths of a voxel face, absolute values (only
    // their lengths count): one "xyz" triple per triangle, triangles separated by spaces, configurations 0-127 by
    // ';'. A configuration and its complement bound the same surface, so 128-255 mirror 0-127. The numbers are
    // those of the surface-distance package's lookup table (Apache-2.0, Copyright 2018 Google Inc.).
    internal const string HalfTable =
        "000;111;111;220 220;111;202 202;111 111;400 222 111;" +
        "111;111 111;202 202;400 222 111;220 220;400 222 111;400 222 111;400 400;" +
        "111;022 022;111 111;040 222 111;111 111;004 222 111;111 111 111;111 222 222 111;" +
        "111 111;022 022 111;202 202 111;111 333 022 202;111 220 220;333 022 111 220;400 111 222 111;400 111 222;" +
        "111;111 111;022 022;040 111 222;111 111;111 202 202;022 022 111;333 022 111 202;" +
        "111 111;111 111 111;004 222 111;222 222 111 111;111 220 220;400 222 111 111;022 333 111 220;400 222 111;" +
        "220 220;040 222 111;040 111 222;040 040;220 220 111;333 202 111 220;111 040 222 111;040 222 111;" +
        "111 220 220;040 222 111 111;333 220 111 202;040 222 111;220 220 220 220;220 220 111;111 220 220;220 220;" +
        "111;111 111;111 111;111 220 220;022 022;004 222 111;022 022 111;333 022 111 220;" +
        "111 111;111 111 111;111 202 202;400 222 111 111;040 222 111;222 222 111 111;202 333 022 111;400 222 111;" +
        "202 202;004 222 111;111 202 202;202 333 220 111;004 222 111;004 004;111 111 222 004;111 222 004;" +
        "202 202 111;004 222 111 111;202 202 202 202;111 202 202;202 333 220 111;004 222 111;111 202 202;202 202;" +
        "111 111;111 111 111;111 022 022;040 111 222 111;022 022 111;004 222 111 111;022 022 022 022;022 022 111;" +
        "111 111 111;111 111 111 111;004 222 111 111;111 111 111;040 222 111 111;111 111 111;022 022 111;111 111;" +
        "400 222 111;222 111 222 111;333 022 111 202;040 222 111;333 220 022 111;111 222 004;111 022 022;022 022;" +
        "400 222 111 111;111 111 111;202 202 111;111 111;220 220 111;111 111;111 111;111";

    private static readonly int[][][] Normals = ParseNormals();

    /// <summary>The surface elements of both masks with their areas (mm²) and their distances (mm) to the other surface, each list sorted by (distance, area).</summary>
    internal sealed record Distances(double[] TruthToPrediction, double[] TruthAreas, double[] PredictionToTruth, double[] PredictionAreas);

    /// <summary>
    /// <c>compute_surface_distances(truth, prediction, spacing)</c>: every surface element of each mask, its area
    /// and its distance to the nearest surface element of the other mask (+inf when the other has none); all
    /// lists empty when both masks are.
    /// </summary>
    public static Distances Compute(ReadOnlySpan<bool> truth, ReadOnlySpan<bool> prediction, MaskGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        grid.CheckLength(truth, nameof(truth));
        grid.CheckLength(prediction, nameof(prediction));
        var box = MaskBounds.Of(truth, prediction, grid.Shape);
        if (box is null)
        {
            return new Distances([], [], [], []);
        }

        var (lo, hi) = box.Value;

        // Corner (i, j, k) of the cropped box sits between voxels i-1 and i along x (and so on), so the corner grid
        // is one larger than the box along each axis and every corner of every voxel in the box is on it.
        int[] corners = [hi[0] - lo[0] + 2, hi[1] - lo[1] + 2, hi[2] - lo[2] + 2];
        var truthCodes = NeighbourCodes(truth, grid.Shape, lo, corners);
        var predictionCodes = NeighbourCodes(prediction, grid.Shape, lo, corners);
        var areas = AreaTable(grid.Spacing);
        var truthDistances = DistanceField(predictionCodes, corners, grid.Spacing);
        var predictionDistances = DistanceField(truthCodes, corners, grid.Spacing);
        var (toPrediction, truthAreas) = Surfels(truthCodes, truthDistances, areas);
        var (toTruth, predictionAreas) = Surfels(predictionCodes, predictionDistances, areas);
        return new Distances(toPrediction, truthAreas, toTruth, predictionAreas);
    }

    /// <summary>
    /// <c>compute_robust_hausdorff(distances, percent)</c>: per direction, the distance at which the surface area
    /// sorted by distance first reaches <paramref name="percent"/> % of the whole (+inf for a direction without
    /// surface elements); the larger of the two.
    /// </summary>
    public static double RobustHausdorff(Distances distances, double percent)
    {
        ArgumentNullException.ThrowIfNull(distances);
        return Math.Max(
            Percentile(distances.TruthToPrediction, distances.TruthAreas, percent),
            Percentile(distances.PredictionToTruth, distances.PredictionAreas, percent));
    }

    /// <summary>The area (mm²) of the surface element of each of the 256 neighbour codes for voxels of <paramref name="spacing"/>.</summary>
    internal static double[] AreaTable(double[] spacing)
    {
        var table = new double[256];
        for (var code = 0; code < 256; code++)
        {
            var sum = 0.0;
            foreach (var n in Normals[code])
            {
                // A face normal scales with the area of the face it is perpendicular to.
                var x = n[0] / 8.0 * spacing[1] * spacing[2];
                var y = n[1] / 8.0 * spacing[0] * spacing[2];
                var z = n[2] / 8.0 * spacing[0] * spacing[1];
                sum += Math.Sqrt((x * x) + (y * y) + (z * z));
            }

            table[code] = sum;
        }

        return table;
    }

    /// <summary>NumPy's <c>np.sum</c> of a float64 vector: pairwise blocks of at most 8192 (its buffer), added in turn.</summary>
    internal static double NumpySum(ReadOnlySpan<double> values)
    {
        var total = 0.0;
        for (var start = 0; start < values.Length; start += 8192)
        {
            total += PairwiseSum(values.Slice(start, Math.Min(8192, values.Length - start)));
        }

        return total;
    }

    private static double Percentile(double[] distances, double[] areas, double percent)
    {
        if (distances.Length == 0)
        {
            return NoSurface;
        }

        // The exact rounding of the cumulative sum and of the total decides which element reaches the percentile
        // when it falls on a boundary, so both are summed the way NumPy sums them.
        var total = NumpySum(areas);
        var target = percent / 100.0;
        var cumulative = 0.0;
        for (var i = 0; i < areas.Length; i++)
        {
            cumulative += areas[i];
            if (cumulative / total >= target)
            {
                return distances[i];
            }
        }

        return distances[^1];
    }

    private static double PairwiseSum(ReadOnlySpan<double> a)
    {
        var n = a.Length;
        if (n < 8)
        {
            var sum = 0.0;
            foreach (var v in a)
            {
                sum += v;
            }

            return sum;
        }

        if (n <= 128)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (var j = 0; j < 8; j++)
                {
                    r[j] += a[i + j];
                }
            }

            var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                result += a[i];
            }

            return result;
        }

        var half = n / 2;
        half -= half % 8;
        return PairwiseSum(a[..half]) + PairwiseSum(a[half..]);
    }

    // The 8-bit pattern of the 2x2x2 voxels around each corner; the voxel at offset (a, b, c) from the corner's
    // lower neighbour (a along x) sets bit 7 - (4a + 2b + c); voxels outside the volume are outside the mask.
    private static byte[] NeighbourCodes(ReadOnlySpan<bool> mask, int[] shape, int[] lo, int[] corners)
    {
        int cx = corners[0], cy = corners[1], cz = corners[2];
        var codes = new byte[cx * cy * cz];
        var plane = shape[0] * shape[1];
        for (var k = 0; k < cz; k++)
        {
            for (var j = 0; j < cy; j++)
            {
                for (var i = 0; i < cx; i++)
                {
                    var code = 0;
                    for (var a = 0; a < 2; a++)
                    {
                        // Box voxel i - 1 + a; the last corner's upper voxels lie outside the box, so they count as outside.
                        var x = i - 1 + a;
                        if (x < 0 || x > cx - 2)
                        {
                            continue;
                        }

                        for (var b = 0; b < 2; b++)
                        {
                            var y = j - 1 + b;
                            if (y < 0 || y > cy - 2)
                            {
                                continue;
                            }

                            for (var c = 0; c < 2; c++)
                            {
                                var z = k - 1 + c;
                                if (z < 0 || z > cz - 2)
                                {
                                    continue;
                                }

                                if (mask[lo[0] + x + (shape[0] * (lo[1] + y)) + (plane * (lo[2] + z))])
                                {
                                    code |= 1 << (7 - ((4 * a) + (2 * b) + c));
                                }
                            }
                        }
                    }

                    codes[i + (cx * (j + (cy * k)))] = (byte)code;
                }
            }
        }

        return codes;
    }

    private static bool IsSurface(byte code) => code is not 0 and not 255;

    // Distance (mm) from every corner to the nearest surface corner of the other mask; +inf without one.
    private static double[] DistanceField(byte[] codes, int[] corners, double[] spacing)
    {
        var field = new double[codes.Length];
        var any = false;
        for (var i = 0; i < codes.Length; i++)
        {
            var surface = IsSurface(codes[i]);
            field[i] = surface ? 0.0 : double.PositiveInfinity;
            any |= surface;
        }

        if (!any)
        {
            return field;
        }

        EuclideanDistanceTransform.Transform(field, corners, spacing);
        for (var i = 0; i < field.Length; i++)
        {
            field[i] = Math.Sqrt(field[i]);
        }

        return field;
    }

    private static (double[] Distances, double[] Areas) Surfels(byte[] codes, double[] otherDistances, double[] areaTable)
    {
        var pairs = new List<(double Distance, double Area)>();
        for (var i = 0; i < codes.Length; i++)
        {
            if (IsSurface(codes[i]))
            {
                pairs.Add((otherDistances[i], areaTable[codes[i]]));
            }
        }

        pairs.Sort(); // by distance, then area, as Python sorts the (distance, area) tuples
        return (pairs.Select(p => p.Distance).ToArray(), pairs.Select(p => p.Area).ToArray());
    }

    private static int[][][] ParseNormals()
    {
        var half = HalfTable.Split(';');
        if (half.Length != 128)
        {
            throw new InvalidOperationException($"surface normal table has {half.Length} configurations, expected 128");
        }

        var table = new int[256][][];
        for (var code = 0; code < 128; code++)
        {
            var normals = half[code].Split(' ').Select(t => new[] { t[0] - '0', t[1] - '0', t[2] - '0' }).ToArray();
            table[code] = normals;
            table[255 - code] = normals;
        }

        return table;
    }
}
