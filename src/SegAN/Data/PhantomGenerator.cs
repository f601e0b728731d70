using System.Globalization;
using SegAN.Imaging;

namespace SegAN.Data;

/// <summary>How hard the phantoms are; see <see cref="PhantomGenerator"/>.</summary>
public enum PhantomDifficulty
{
    /// <summary>Heads with scalp and skull, crisp tumours, integral intensities: the phantoms of the demo and the tests.</summary>
    Easy,

    /// <summary>Skull-stripped BraTS-like brains with infiltrative edema, broken rims, non-enhancing tumour and scanner variation.</summary>
    Realistic,
}

/// <summary>A phantom volume's shape in voxels (1 mm), written XxYxZ.</summary>
public readonly record struct PhantomShape(int X, int Y, int Z)
{
    /// <summary>BraTS's 240x240x155 grid.</summary>
    public static PhantomShape Brats { get; } = new(240, 240, 155);

    /// <summary>A cube of <paramref name="size"/> voxels per side.</summary>
    public static PhantomShape Cube(int size) => new(size, size, size);

    /// <summary>Parses XxYxZ (240x240x155) or a single side N for a cube.</summary>
    public static PhantomShape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x', 'X');
        var sides = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out sides[i]))
            {
                throw new SegANException($"phantom shape '{text}': expected XxYxZ, e.g. 240x240x155");
            }
        }

        return sides.Length switch
        {
            1 => Cube(sides[0]),
            3 => new PhantomShape(sides[0], sides[1], sides[2]),
            _ => throw new SegANException($"phantom shape '{text}': expected XxYxZ, e.g. 240x240x155"),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{X}x{Y}x{Z}");
}

/// <summary>Settings of <see cref="PhantomGenerator"/>.</summary>
/// <param name="Size">Voxels per side of the cubic volume (1 mm voxels) when <paramref name="Shape"/> is null. Default 96.</param>
/// <param name="Seed">Seed of every random choice; the same seed gives the same bytes. Default 0.</param>
/// <param name="Labels">Label convention of the segmentations and, through its preset, the file names. Default brats2021.</param>
/// <param name="Difficulty">Easy (today's heads, the default) or realistic (BraTS-like brains).</param>
/// <param name="Shape">
/// The volume's shape; null: a cube of <paramref name="Size"/>. Easy phantoms are cubic. Realistic anatomy is
/// life-size in <see cref="PhantomShape.Brats"/> (240x240x155) and scales with the smallest of X/240, Y/240, Z/155.
/// </param>
public sealed record PhantomOptions(
    int Size = 96,
    int Seed = 0,
    LabelConvention Labels = LabelConvention.Brats2021,
    PhantomDifficulty Difficulty = PhantomDifficulty.Easy,
    PhantomShape? Shape = null)
{
    /// <summary>The volume's shape: <see cref="Shape"/>, or a cube of <see cref="Size"/>.</summary>
    public PhantomShape Dimensions => Shape ?? PhantomShape.Cube(Size);

    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value; returns this.</summary>
    public PhantomOptions Validate()
    {
        var d = Dimensions;
        foreach (var side in (int[])[d.X, d.Y, d.Z])
        {
            if (side is < 32 or > 512)
            {
                throw new SegANException($"phantom size {d} must be between 32 and 512 voxels per side");
            }
        }

        if (Difficulty == PhantomDifficulty.Easy && (d.X != d.Y || d.Y != d.Z))
        {
            throw new SegANException([Setting.PhantomSize, Setting.Difficulty], $"easy phantoms are cubic; shape {d} is not (give one phantom size, or the realistic difficulty)");
        }

        return this;
    }
}

/// <summary>
/// One synthetic BraTS-like case: T1, T1c, T2 and FLAIR images and the label map (necrosis 1, edema 2, enhancing
/// tumour per <see cref="Labels"/>; realistic phantoms add non-enhancing tumour, 3 in BraTS 2015, 1 otherwise).
/// Easy images are integral scanner units, 0 in the air; realistic ones are integral with background 0 or z-scored
/// floats with a constant background (0 or the brain's minimum), per case.
/// </summary>
public sealed record Phantom(string Name, Volume T1, Volume T1c, Volume T2, Volume Flair, Volume Segmentation, LabelConvention Labels)
{
    /// <summary>The four images in the presets' modality order: T1, T1c, T2, FLAIR.</summary>
    public IReadOnlyList<Volume> Images => [T1, T1c, T2, Flair];
}

/// <summary>
/// Synthetic BraTS-like heads for tests, demos and smoke training. A head is an ellipsoid of scalp (fat),
/// skull, cerebrospinal fluid, folded grey matter, white matter, deep grey nuclei and ventricles; one or two
/// tumours each have a necrotic core, an enhancing rim and surrounding edema of random, smooth, irregular shape.
/// Contrast per modality follows real MRI (edema bright on FLAIR and T2, enhancing rim bright on T1c, necrosis
/// dark on T1c and bright on T2), with confounders that keep any single modality from segmenting all three
/// regions by a threshold: CSF brighter than edema on T2 and partly unsuppressed on FLAIR, enhancing vessels and
/// fat as bright as the rim on T1c, white-matter hyperintensities on FLAIR/T2, heterogeneous enhancement and
/// fading edema. A smooth multiplicative bias field and Rician noise finish each image. These are the easy
/// phantoms; <see cref="PhantomDifficulty.Realistic"/> ones are skull-stripped BraTS-like brains built to be as
/// hard as real scans (see <see cref="RealisticPhantoms"/>).
/// </summary>
public static class PhantomGenerator
{
    private const int ModalityCount = 4;

    // Mean intensity per tissue and modality (T1, T1c, T2, FLAIR), white matter on T1 = 1.
    private static readonly float[,] Contrast =
    {
        { 0f, 0f, 0f, 0f },             // air
        { 1.20f, 1.15f, 0.75f, 0.70f }, // scalp fat
        { 0.12f, 0.12f, 0.10f, 0.10f }, // skull
        { 0.30f, 0.32f, 1.60f, 0.20f }, // CSF (FLAIR: suppressed, partly; see CsfFlair)
        { 0.72f, 0.75f, 0.88f, 0.88f }, // grey matter
        { 1.00f, 1.00f, 0.60f, 0.62f }, // white matter
        { 0.80f, 0.82f, 0.80f, 0.80f }, // deep grey nuclei
        { 0.75f, 1.45f, 0.25f, 0.40f }, // vessels (flow void on T2, enhancing on T1c)
        { 0.85f, 0.88f, 1.25f, 1.28f }, // white-matter hyperintensity
        { 0.62f, 0.64f, 1.30f, 1.30f }, // edema (FLAIR/T2 fade with distance, see below)
        { 0.80f, 1.40f, 0.95f, 1.05f }, // enhancing tumour (T1c heterogeneous)
        { 0.35f, 0.30f, 1.58f, 0.80f }, // necrosis
    };

    private enum Tissue : byte
    {
        Air,
        Fat,
        Skull,
        Csf,
        Grey,
        White,
        Deep,
        Vessel,
        Hyperintensity,
        Edema,
        Enhancing,
        Necrosis,
    }

    /// <summary>File names of a phantom dataset's case: the convention's preset names, BraTS 2021 names for brats2015 (whose .mha names are not written).</summary>
    public static IReadOnlyList<string> FileNames(string caseName, LabelConvention labels)
    {
        var preset = labels switch
        {
            LabelConvention.Brats2023 => DatasetPreset.Brats2023,
            LabelConvention.Brats2024Gli => DatasetPreset.Brats2024Gli,
            LabelConvention.NnUNetBrats => throw new SegANException(Setting.Labels, "phantoms are written in a BraTS layout: write brats2021 labels and convert the dataset to nnU-Net"),
            _ => DatasetPreset.Brats2021,
        };
        return [.. DatasetPresets.AllModalities(preset).Select(m => m.Pattern).Append(DatasetPresets.SegPattern(preset))
            .Select(p => p.Replace("*", caseName, StringComparison.Ordinal))];
    }

    /// <summary>Case <paramref name="index"/> (0-based) of the dataset seeded by <paramref name="options"/>.</summary>
    public static Phantom Generate(PhantomOptions options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Difficulty == PhantomDifficulty.Realistic)
        {
            return RealisticPhantoms.Generate(options, index);
        }

        var n = options.Dimensions.X;
        var s = n / 96.0; // lengths below are for a 96 mm head and scale with the size
        var rng = new SplitMix64(SplitMix64.Mix(options.Seed, index, 0x9A47));
        var head = new Anatomy(n, s, ref rng);
        var tumours = new List<Tumour> { Tumour.Sample(head, s, 1.0, ref rng) };
        if (rng.NextDouble() < 0.35)
        {
            tumours.Add(Tumour.Sample(head, s, 0.6, ref rng));
        }

        var gains = new double[ModalityCount];
        var bias = new Polynomial[ModalityCount];
        for (var m = 0; m < ModalityCount; m++)
        {
            gains[m] = 600 * rng.Uniform(0.85, 1.15);
            bias[m] = Polynomial.Sample(ref rng);
        }

        var csfFlair = Waves.Sample(ref rng, 4, 0.5 / (12 * s), 1.0 / (12 * s), 1.0);
        var enhancement = Waves.Sample(ref rng, 3, 0.5 / (6 * s), 1.0 / (6 * s), 1.0);
        var images = new float[ModalityCount][];
        for (var m = 0; m < ModalityCount; m++)
        {
            images[m] = new float[n * n * n];
        }

        var seg = new float[n * n * n];
        var enhancingLabel = BratsLabels.EnhancingLabel(options.Labels);
        var caseSeed = rng.NextULong();

        Parallel.For(0, n, z =>
        {
            var noise = new SplitMix64(SplitMix64.Mix((long)caseSeed, z));
            var intensity = new float[ModalityCount];
            for (var y = 0; y < n; y++)
            {
                for (var x = 0; x < n; x++)
                {
                    var i = x + (n * (y + (n * z)));
                    var tissue = head.TissueAt(x, y, z);
                    var edemaFade = 1.0;
                    if (tissue is Tissue.Grey or Tissue.White or Tissue.Deep or Tissue.Hyperintensity or Tissue.Vessel or Tissue.Csf)
                    {
                        foreach (var t in tumours)
                        {
                            var inTumour = t.TissueAt(x, y, z, tissue, out var fade);
                            if (inTumour is { } found && Priority(found) > Priority(tissue))
                            {
                                tissue = found;
                                edemaFade = fade;
                            }
                        }
                    }

                    seg[i] = tissue switch
                    {
                        Tissue.Necrosis => BratsLabels.NecrosisLabel,
                        Tissue.Edema => BratsLabels.EdemaLabel,
                        Tissue.Enhancing => enhancingLabel,
                        _ => 0,
                    };
                    if (tissue == Tissue.Air)
                    {
                        continue;
                    }

                    for (var m = 0; m < ModalityCount; m++)
                    {
                        intensity[m] = Contrast[(int)tissue, m];
                    }

                    switch (tissue)
                    {
                        case Tissue.Csf:
                            // FLAIR's CSF suppression fails in patches (inflow, partial volume).
                            intensity[3] += (float)(0.9 * Math.Max(0, csfFlair.At(x, y, z) - 0.3));
                            break;
                        case Tissue.Enhancing:
                            // Heterogeneous enhancement: some of the rim barely brighter than white matter.
                            intensity[1] *= (float)(1 + (0.18 * enhancement.At(x, y, z)));
                            break;
                        case Tissue.Edema:
                            // Edema fades towards its border on FLAIR and T2, down to grey-matter levels.
                            intensity[2] = (float)(0.85 + ((intensity[2] - 0.85) * edemaFade));
                            intensity[3] = (float)(0.85 + ((intensity[3] - 0.85) * edemaFade));
                            break;
                        default:
                            break;
                    }

                    // Texture: a little per-voxel tissue variation before the bias and the coil noise.
                    var sigma = 0.035;
                    for (var m = 0; m < ModalityCount; m++)
                    {
                        var signal = intensity[m] * bias[m].At(x, y, z, n) * (1 + (0.03 * noise.NextGaussian()));
                        var re = signal + (sigma * noise.NextGaussian());
                        var im = sigma * noise.NextGaussian();
                        images[m][i] = (float)Math.Round(gains[m] * Math.Sqrt((re * re) + (im * im)));
                    }
                }
            }
        });

        var geometry = Geometry(n, n, n);
        var name = CaseName(index);
        return new Phantom(
            name,
            new Volume(images[0], geometry),
            new Volume(images[1], geometry),
            new Volume(images[2], geometry),
            new Volume(images[3], geometry),
            new Volume(seg, geometry),
            options.Labels);
    }

    /// <summary>Phantom001, Phantom002, ... for index 0, 1, ...</summary>
    public static string CaseName(int index) => string.Create(CultureInfo.InvariantCulture, $"Phantom{index + 1:D3}");

    /// <summary>
    /// Writes <paramref name="cases"/> phantoms as a BraTS-layout dataset under <paramref name="outDir"/>: a folder
    /// per case holding T1, T1c, T2, FLAIR and a uint8 segmentation (NIfTI-1, gzip, 1 mm voxels), named as
    /// <see cref="FileNames"/> says. Images are int16 when integral (every easy case, realistic cases left in
    /// scanner units), else float32 (z-scored realistic cases). Returns the case folders.
    /// </summary>
    public static IReadOnlyList<string> WriteDataset(DirectoryInfo outDir, int cases, PhantomOptions options)
    {
        ArgumentNullException.ThrowIfNull(outDir);
        ArgumentNullException.ThrowIfNull(options);
        if (cases < 1)
        {
            throw new SegANException($"number of cases {cases} must be at least 1");
        }

        options.Validate();
        return [.. Enumerable.Range(0, cases).Select(i => WriteCase(outDir.FullName, i, options))];
    }

    /// <summary>
    /// Writes <paramref name="train"/> + <paramref name="validation"/> + <paramref name="test"/> phantoms (cases
    /// 0, 1, ... in that order, as <see cref="WriteDataset"/> would name them) into the folders
    /// <c>train/</c>, <c>validation/</c> and <c>test/</c> of <paramref name="outDir"/>, each created even when
    /// empty: the layout of the PyTorch reference trainer (<c>quality_ref_train.py</c>). Returns the case folders.
    /// </summary>
    public static IReadOnlyList<string> WriteSplit(DirectoryInfo outDir, int train, int validation, int test, PhantomOptions options)
    {
        ArgumentNullException.ThrowIfNull(outDir);
        ArgumentNullException.ThrowIfNull(options);
        if (train < 0 || validation < 0 || test < 0 || train + validation + test < 1)
        {
            throw new SegANException($"split {train},{validation},{test}: counts must be non-negative with at least one case");
        }

        options.Validate();
        var folders = new List<string>();
        var index = 0;
        foreach (var (part, count) in (ReadOnlySpan<(string, int)>)[("train", train), ("validation", validation), ("test", test)])
        {
            var parent = Path.Combine(outDir.FullName, part);
            Directory.CreateDirectory(parent);
            for (var k = 0; k < count; k++)
            {
                folders.Add(WriteCase(parent, index++, options));
            }
        }

        return folders;
    }

    private static string WriteCase(string parent, int index, PhantomOptions options)
    {
        var phantom = Generate(options, index);
        var folder = Path.Combine(parent, phantom.Name);
        Directory.CreateDirectory(folder);
        var names = FileNames(phantom.Name, options.Labels);
        var images = phantom.Images;
        for (var m = 0; m < ModalityCount; m++)
        {
            var integral = Array.TrueForAll(images[m].Data, v => v == MathF.Round(v) && v >= short.MinValue && v <= short.MaxValue);
            ImageFile.Write(Path.Combine(folder, names[m]), images[m], integral ? NiftiDataType.Int16 : NiftiDataType.Float32);
        }

        ImageFile.Write(Path.Combine(folder, names[ModalityCount]), phantom.Segmentation, NiftiDataType.UInt8);
        return folder;
    }

    /// <summary>1 mm voxels, RAS axes, the volume centred on the world origin.</summary>
    internal static ImageGeometry Geometry(int nx, int ny, int nz)
    {
        var g = ImageGeometry.FromSpacing([nx, ny, nz], [1, 1, 1]);
        int[] n = [nx, ny, nz];
        for (var a = 0; a < 3; a++)
        {
            g.Affine[a, 3] = -(n[a] - 1) / 2.0;
        }

        return g;
    }

    private static int Priority(Tissue t) => t switch
    {
        Tissue.Necrosis => 4,
        Tissue.Enhancing => 3,
        Tissue.Edema => 2,
        _ => 0,
    };

    /// <summary>A sum of random plane waves: smooth noise in [-amplitude, amplitude].</summary>
    private sealed class Waves
    {
        private readonly double[] _w;

        private Waves(double[] w) => _w = w;

        public static Waves Sample(ref SplitMix64 rng, int count, double minFrequency, double maxFrequency, double amplitude)
        {
            var w = new double[count * 5];
            for (var k = 0; k < count; k++)
            {
                // Random direction, frequency (radians per voxel) and phase; amplitudes share the total.
                double dx = rng.NextGaussian(), dy = rng.NextGaussian(), dz = rng.NextGaussian();
                var norm = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)) + 1e-12;
                var f = 2 * Math.PI * rng.Uniform(minFrequency, maxFrequency);
                w[5 * k] = f * dx / norm;
                w[(5 * k) + 1] = f * dy / norm;
                w[(5 * k) + 2] = f * dz / norm;
                w[(5 * k) + 3] = rng.Uniform(0, 2 * Math.PI);
                w[(5 * k) + 4] = amplitude / count;
            }

            return new Waves(w);
        }

        public double At(double x, double y, double z)
        {
            var sum = 0.0;
            for (var k = 0; k < _w.Length; k += 5)
            {
                sum += _w[k + 4] * Math.Sin((_w[k] * x) + (_w[k + 1] * y) + (_w[k + 2] * z) + _w[k + 3]);
            }

            return sum;
        }
    }

    /// <summary>A smooth multiplicative bias field: exp of a random quadratic in coordinates scaled to [-1, 1].</summary>
    private sealed class Polynomial
    {
        private readonly double[] _c;

        private Polynomial(double[] c) => _c = c;

        public static Polynomial Sample(ref SplitMix64 rng)
        {
            var c = new double[9];
            for (var k = 0; k < 3; k++)
            {
                c[k] = rng.Uniform(-0.08, 0.08);
            }

            for (var k = 3; k < 9; k++)
            {
                c[k] = rng.Uniform(-0.04, 0.04);
            }

            return new Polynomial(c);
        }

        public double At(int x, int y, int z, int n)
        {
            double u = ((2.0 * x) / (n - 1)) - 1, v = ((2.0 * y) / (n - 1)) - 1, w = ((2.0 * z) / (n - 1)) - 1;
            return Math.Exp((_c[0] * u) + (_c[1] * v) + (_c[2] * w) + (_c[3] * u * u) + (_c[4] * v * v) + (_c[5] * w * w)
                + (_c[6] * u * v) + (_c[7] * v * w) + (_c[8] * u * w));
        }
    }

    /// <summary>The healthy head: nested ellipsoidal layers, folded cortex, ventricles, deep nuclei, vessels, WMH.</summary>
    private sealed class Anatomy
    {
        private readonly double _cx, _cy, _cz, _rx, _ry, _rz, _rMean, _s;
        private readonly Waves _gyri;
        private readonly (double X, double Y, double Z, double Rx, double Ry, double Rz)[] _ventricles;
        private readonly (double X, double Y, double Z, double Rx, double Ry, double Rz)[] _nuclei;
        private readonly HashSet<int> _vessels = [];
        private readonly HashSet<int> _hyperintensities = [];
        private readonly int _n;

        public Anatomy(int n, double s, ref SplitMix64 rng)
        {
            _n = n;
            _s = s;
            var c = (n - 1) / 2.0;
            _cx = c + rng.Uniform(-2, 2) * s;
            _cy = c + rng.Uniform(-2, 2) * s;
            _cz = c + rng.Uniform(-2, 2) * s;
            _rx = n * rng.Uniform(0.37, 0.41);
            _ry = n * rng.Uniform(0.43, 0.47);
            _rz = n * rng.Uniform(0.37, 0.41);
            _rMean = (_rx + _ry + _rz) / 3;
            _gyri = Waves.Sample(ref rng, 5, 1.0 / (10 * s), 1.0 / (6 * s), 1.6 * s);
            var spread = rng.Uniform(0.05, 0.08) * n;
            var vr = rng.Uniform(0.8, 1.25);
            _ventricles =
            [
                (_cx - spread, _cy + (0.02 * n), _cz + (0.04 * n), 0.045 * n * vr, 0.15 * n * vr, 0.06 * n * vr),
                (_cx + spread, _cy + (0.02 * n), _cz + (0.04 * n), 0.045 * n * vr, 0.15 * n * vr, 0.06 * n * vr),
            ];
            _nuclei =
            [
                (_cx - (0.12 * n), _cy, _cz - (0.02 * n), 0.05 * n, 0.08 * n, 0.06 * n),
                (_cx + (0.12 * n), _cy, _cz - (0.02 * n), 0.05 * n, 0.08 * n, 0.06 * n),
            ];

            // Vessels: thin random tubes through the brain, bright on T1c like the enhancing rim.
            var vessels = 6 + rng.NextInt(5);
            for (var k = 0; k < vessels; k++)
            {
                var (x, y, z) = PointInBrain(ref rng, 0.75);
                double dx = rng.NextGaussian(), dy = rng.NextGaussian(), dz = rng.NextGaussian();
                var norm = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)) + 1e-12;
                var length = rng.Uniform(0.2, 0.4) * n;
                var radius = rng.Uniform(0.7, 1.3) * Math.Max(1, s);
                for (var t = -length / 2; t <= length / 2; t += 0.5)
                {
                    Paint(_vessels, x + (t * dx / norm), y + (t * dy / norm), z + (t * dz / norm), radius);
                }
            }

            // White-matter hyperintensities: small blobs bright on FLAIR and T2, not tumour.
            var blobs = 3 + rng.NextInt(6);
            for (var k = 0; k < blobs; k++)
            {
                var (x, y, z) = PointInBrain(ref rng, 0.6);
                Paint(_hyperintensities, x, y, z, rng.Uniform(1.5, 3.5) * s);
            }
        }

        /// <summary>Distance from the brain's outer surface inward (voxels), approximately.</summary>
        public double BrainDepth(double x, double y, double z) => Depth(x, y, z) - (7 * _s);

        public bool InVentricle(double x, double y, double z) => _ventricles.Any(v => Inside(v, x, y, z));

        public (double X, double Y, double Z) PointInBrain(ref SplitMix64 rng, double maxRho)
        {
            while (true)
            {
                double u = rng.Uniform(-1, 1), v = rng.Uniform(-1, 1), w = rng.Uniform(-1, 1);
                if ((u * u) + (v * v) + (w * w) <= maxRho * maxRho)
                {
                    return (_cx + (u * _rx), _cy + (v * _ry), _cz + (w * _rz));
                }
            }
        }

        public Tissue TissueAt(int x, int y, int z)
        {
            var depth = Depth(x, y, z);
            if (depth < 0)
            {
                return Tissue.Air;
            }

            if (depth < 2.5 * _s)
            {
                return Tissue.Fat;
            }

            if (depth < 5 * _s)
            {
                return Tissue.Skull;
            }

            var fold = _gyri.At(x, y, z);
            if (depth < (6.5 * _s) + Math.Max(0, fold))
            {
                return Tissue.Csf;
            }

            var key = x + (_n * (y + (_n * z)));
            if (_vessels.Contains(key))
            {
                return Tissue.Vessel;
            }

            if (InVentricle(x, y, z))
            {
                return Tissue.Csf;
            }

            if (depth < (10.5 * _s) + (1.5 * fold))
            {
                return Tissue.Grey;
            }

            if (_nuclei.Any(v => Inside(v, x, y, z)))
            {
                return Tissue.Deep;
            }

            return _hyperintensities.Contains(key) ? Tissue.Hyperintensity : Tissue.White;
        }

        private static bool Inside((double X, double Y, double Z, double Rx, double Ry, double Rz) e, double x, double y, double z)
        {
            double a = (x - e.X) / e.Rx, b = (y - e.Y) / e.Ry, c = (z - e.Z) / e.Rz;
            return (a * a) + (b * b) + (c * c) <= 1;
        }

        private double Depth(double x, double y, double z)
        {
            double a = (x - _cx) / _rx, b = (y - _cy) / _ry, c = (z - _cz) / _rz;
            return (1 - Math.Sqrt((a * a) + (b * b) + (c * c))) * _rMean;
        }

        private void Paint(HashSet<int> set, double x, double y, double z, double radius)
        {
            var r = (int)Math.Ceiling(radius);
            for (var k = (int)z - r; k <= (int)z + r + 1; k++)
            {
                for (var j = (int)y - r; j <= (int)y + r + 1; j++)
                {
                    for (var i = (int)x - r; i <= (int)x + r + 1; i++)
                    {
                        if (i >= 0 && j >= 0 && k >= 0 && i < _n && j < _n && k < _n
                            && ((i - x) * (i - x)) + ((j - y) * (j - y)) + ((k - z) * (k - z)) <= radius * radius)
                        {
                            set.Add(i + (_n * (j + (_n * k))));
                        }
                    }
                }
            }
        }
    }

    /// <summary>One tumour: necrotic core inside an enhancing rim inside edema, each with its own irregular border.</summary>
    private sealed class Tumour
    {
        private readonly double _x, _y, _z, _edema, _rim, _core;
        private readonly Waves _edemaShape, _rimShape, _coreShape;
        private readonly int _x0, _x1, _y0, _y1, _z0, _z1;

        private Tumour(double x, double y, double z, double edema, double rim, double core, Waves edemaShape, Waves rimShape, Waves coreShape)
        {
            (_x, _y, _z, _edema, _rim, _core) = (x, y, z, edema, rim, core);
            (_edemaShape, _rimShape, _coreShape) = (edemaShape, rimShape, coreShape);
            var reach = edema * 1.6;
            (_x0, _x1, _y0, _y1, _z0, _z1) = ((int)(x - reach), (int)(x + reach) + 1, (int)(y - reach), (int)(y + reach) + 1, (int)(z - reach), (int)(z + reach) + 1);
        }

        public static Tumour Sample(Anatomy head, double s, double scale, ref SplitMix64 rng)
        {
            var edema = rng.Uniform(10, 17) * s * scale;
            var rim = edema * rng.Uniform(0.45, 0.65);
            var core = rim * rng.Uniform(0.35, 0.7);
            double x, y, z;
            do
            {
                (x, y, z) = head.PointInBrain(ref rng, 0.65);
            }
            while (head.InVentricle(x, y, z) || head.BrainDepth(x, y, z) < rim);

            // Irregular borders: radius scaled by 1 + smooth noise of wavelengths comparable to the tumour.
            var edemaShape = Waves.Sample(ref rng, 5, 0.5 / edema, 1.5 / edema, 0.45);
            var rimShape = Waves.Sample(ref rng, 4, 0.5 / rim, 1.5 / rim, 0.3);
            var coreShape = Waves.Sample(ref rng, 4, 0.5 / rim, 1.5 / rim, 0.35);
            return new Tumour(x, y, z, edema, rim, core, edemaShape, rimShape, coreShape);
        }

        /// <summary>The tumour tissue at a voxel, or null; <paramref name="fade"/> is 1 at the rim and 0 at the edema's border.</summary>
        public Tissue? TissueAt(int x, int y, int z, Tissue healthy, out double fade)
        {
            fade = 0;
            if (x < _x0 || x > _x1 || y < _y0 || y > _y1 || z < _z0 || z > _z1)
            {
                return null;
            }

            double dx = x - _x, dy = y - _y, dz = z - _z;
            var r = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
            if (r < _core * (1 + _coreShape.At(x, y, z)))
            {
                return Tissue.Necrosis;
            }

            var rim = _rim * (1 + _rimShape.At(x, y, z));
            if (r < rim)
            {
                return Tissue.Enhancing;
            }

            // Edema spreads through brain tissue, not into CSF spaces.
            var edema = _edema * (1 + _edemaShape.At(x, y, z));
            if (r < edema && healthy != Tissue.Csf && edema > rim)
            {
                fade = Math.Clamp(1 - ((r - rim) / (edema - rim)), 0, 1);
                fade = 0.35 + (0.65 * fade);
                return Tissue.Edema;
            }

            return null;
        }
    }
}
