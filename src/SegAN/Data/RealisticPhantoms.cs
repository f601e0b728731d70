using SegAN.Imaging;

namespace SegAN.Data;

/// <summary>
/// The realistic phantoms of <see cref="PhantomGenerator"/> (<see cref="PhantomDifficulty.Realistic"/>): skull-stripped,
/// co-registered, 1 mm brains of life size in 240x240x155 (about 140 x 170 x 125 mm), built to be as hard as real
/// BraTS scans for a threshold:
/// <list type="bullet">
/// <item>cortex with sulcal CSF, an interhemispheric fissure, ventricles with choroid plexus (enhancing), deep
/// nuclei, vessels and cortical veins as bright on T1c as enhancing tumour, white-matter hyperintensities
/// (periventricular caps and blobs) with edema's contrast;</item>
/// <item>one to three lesions (some at the brain's edge, cut by it): a core of necrosis, non-enhancing tumour
/// (label 3 in BraTS 2015, merged into 1 in later conventions) and a thin, broken, heterogeneous enhancing rim
/// with vessels running past it; infiltrative edema whose signal fades gradually, ends past the labelled border,
/// and whose labelled border does not follow an iso-intensity surface; about a fifth of the cases low grade,
/// without any enhancing tumour;</item>
/// <item>the scanner: per-case tissue contrast and gamma per modality, a strong multiplicative bias field,
/// partial-volume blur, Rician noise, some modalities acquired as 2-6 mm thick slices and interpolated back to
/// 1 mm along z, and one of three normalisations: scanner units with background 0, z-scored with the background
/// set to the brain's minimum, z-scored with background 0.</item>
/// </list>
/// Whole tumour is about 2-8 % of the brain. The same seed and index give the same bytes.
/// </summary>
internal static class RealisticPhantoms
{
    private const int ModalityCount = 4;

    // Mean intensity per tissue and modality (T1, T1c, T2, FLAIR), white matter on T1 = 1.
    private static readonly float[,] Contrast =
    {
        { 0f, 0f, 0f, 0f },             // background
        { 0.30f, 0.32f, 1.60f, 0.20f }, // CSF (FLAIR partly unsuppressed)
        { 0.72f, 0.75f, 0.88f, 0.88f }, // grey matter
        { 1.00f, 1.00f, 0.60f, 0.62f }, // white matter
        { 0.80f, 0.82f, 0.80f, 0.80f }, // deep grey nuclei
        { 0.75f, 1.65f, 0.30f, 0.45f }, // vessels (enhancing on T1c, flow void on T2)
        { 0.70f, 1.55f, 0.95f, 0.75f }, // choroid plexus (enhancing)
        { 0.38f, 0.34f, 1.55f, 0.75f }, // necrosis
        { 0.62f, 0.68f, 1.20f, 1.00f }, // non-enhancing tumour
        { 0.80f, 1.65f, 0.98f, 0.95f }, // enhancing tumour
    };

    // Edema and white-matter hyperintensities blend into the healthy tissue with a strength in [0, 1].
    private static readonly float[] EdemaContrast = [0.64f, 0.66f, 1.35f, 1.35f];
    private static readonly float[] HyperintensityContrast = [0.80f, 0.83f, 1.25f, 1.26f];

    // Chance that a modality is acquired as thick slices (T1, T1c, T2, FLAIR).
    private static readonly double[] ThickSliceChance = [0.3, 0.35, 0.6, 0.6];

    private enum Tissue : byte
    {
        Background,
        Csf,
        Grey,
        White,
        Deep,
        Vessel,
        Plexus,
        Necrosis,
        NonEnhancing,
        Enhancing,
    }

    private enum Normalisation
    {
        ScannerUnits,
        ZScoreMinimumBackground,
        ZScoreZeroBackground,
    }

    public static Phantom Generate(PhantomOptions options, int index)
    {
        var shape = options.Dimensions;
        var s = Math.Min(Math.Min(shape.X / 240.0, shape.Y / 240.0), shape.Z / 155.0);
        // Case-level choices come from streams that do not depend on the shape: low-grade cases (no enhancing
        // tumour, 20 %) and lesions at the brain's edge (30 %) are spread evenly over the indices by golden-ratio
        // sequences, so that any few consecutive cases hold about their share; the rest is drawn per case.
        var phases = new SplitMix64(SplitMix64.Mix(options.Seed, 0x7A5E));
        var lowGrade = Fraction(phases.NextDouble() + (index * 0.6180339887498949)) < 0.2;
        var atEdge = Fraction(phases.NextDouble() + (index * 0.4142135623730951)) < 0.3;
        var plan = new SplitMix64(SplitMix64.Mix(options.Seed, index, 0x91A7));
        var extra = plan.NextDouble() < 0.35 ? (plan.NextDouble() < 0.3 ? 2 : 1) : 0;
        var scanner = new Scanner(s, ref plan);
        var rng = new SplitMix64(SplitMix64.Mix(options.Seed, index, 0x2EA1));
        var brain = new Brain(shape, s, ref rng);
        var tumours = new List<Tumour> { Tumour.Sample(brain, 1.0, lowGrade, atEdge, ref rng) };
        for (var k = 0; k < extra; k++)
        {
            tumours.Add(Tumour.Sample(brain, plan.Uniform(0.35, 0.6), lowGrade, false, ref rng));
        }

        if (!lowGrade)
        {
            brain.PaintVesselsPast(tumours[0], ref rng);
        }

        var box = brain.Box;
        var images = new float[ModalityCount][];
        for (var m = 0; m < ModalityCount; m++)
        {
            images[m] = new float[box.Count];
        }

        var labels = new byte[box.Count];
        var inside = new bool[box.Count];
        var net = options.Labels == LabelConvention.Brats2015 ? BratsLabels.NonEnhancingLabel2015 : BratsLabels.NecrosisLabel;
        var enhancing = BratsLabels.EnhancingLabel(options.Labels);
        var caseSeed = rng.NextULong();

        // Tissues, labels and noiseless contrast, voxel by voxel.
        Parallel.For(0, box.Nz, k =>
        {
            var texture = new SplitMix64(SplitMix64.Mix((long)caseSeed, k, 1));
            var z = box.Z0 + k;
            for (var j = 0; j < box.Ny; j++)
            {
                var y = box.Y0 + j;
                for (var i = 0; i < box.Nx; i++)
                {
                    var x = box.X0 + i;
                    var li = i + (box.Nx * (j + (box.Ny * k)));
                    var healthy = brain.TissueAt(x, y, z, out var hyperintensity);
                    if (healthy == Tissue.Background)
                    {
                        continue;
                    }

                    inside[li] = true;
                    var tissue = healthy;
                    double edema = 0;
                    var edemaLabel = false;
                    foreach (var t in tumours)
                    {
                        var found = t.TissueAt(x, y, z, out var e, out var labelled);
                        if (found is { } f && Priority(f) > Priority(tissue))
                        {
                            tissue = f;
                        }

                        edema = Math.Max(edema, e);
                        edemaLabel |= labelled;
                    }

                    // Edema spreads through parenchyma, not into CSF spaces.
                    var parenchyma = healthy is Tissue.Grey or Tissue.White or Tissue.Deep or Tissue.Vessel;
                    labels[li] = tissue switch
                    {
                        Tissue.Necrosis => BratsLabels.NecrosisLabel,
                        Tissue.NonEnhancing => (byte)net,
                        Tissue.Enhancing => (byte)enhancing,
                        _ => edemaLabel && parenchyma ? (byte)BratsLabels.EdemaLabel : (byte)0,
                    };
                    var edemaSignal = tissue == healthy && parenchyma && healthy != Tissue.Vessel
                        ? edema * (healthy == Tissue.Grey ? 0.5 : 1)
                        : 0;
                    var smooth = brain.Texture(x, y, z);
                    for (var m = 0; m < ModalityCount; m++)
                    {
                        var v = scanner.Contrast[(int)tissue, m];
                        if (tissue is Tissue.White or Tissue.Deep)
                        {
                            v += (scanner.Hyperintensity[m] - v) * hyperintensity;
                        }

                        v += (scanner.Edema[m] - v) * edemaSignal;

                        // Heterogeneous enhancement (some of the rim barely enhancing) and cores; the main lesion's
                        // smooth field serves every lesion (read along permuted axes for the cores).
                        v = tissue switch
                        {
                            Tissue.Csf when m == 3 => v + (0.7 * Math.Max(0, brain.CsfInflow(x, y, z) - 0.3)),
                            Tissue.Enhancing when m == 1 => v * (1 + (0.4 * Math.Clamp(tumours[0].Enhancement(x, y, z), -1.6, 1.6))),
                            Tissue.Necrosis or Tissue.NonEnhancing => v * (1 + (0.2 * Math.Clamp(tumours[0].Enhancement(y, z, x), -1.6, 1.6))),
                            _ => v,
                        };
                        v *= 1 + (0.04 * smooth) + (0.03 * texture.NextGaussian());
                        images[m][li] = (float)Math.Pow(Math.Max(v, 1e-3), scanner.Gamma[m]);
                    }
                }
            }
        });

        scanner.Acquire(brain, images, inside, caseSeed);
        var full = scanner.Normalise(brain.Box, images, inside, shape);
        var seg = new float[(long)shape.X * shape.Y * shape.Z];
        box.Embed(labels, seg);
        var geometry = PhantomGenerator.Geometry(shape.X, shape.Y, shape.Z);
        return new Phantom(
            PhantomGenerator.CaseName(index),
            new Volume(full[0], geometry),
            new Volume(full[1], geometry),
            new Volume(full[2], geometry),
            new Volume(full[3], geometry),
            new Volume(seg, geometry),
            options.Labels);
    }

    private static double Fraction(double x) => x - Math.Floor(x);

    private static int Priority(Tissue t) => t switch
    {
        Tissue.Necrosis => 4,
        Tissue.Enhancing => 3,
        Tissue.NonEnhancing => 2,
        _ => 0,
    };

    /// <summary>The brain's bounding box inside the volume: the region every pass works on.</summary>
    private sealed record Box(int X0, int Y0, int Z0, int Nx, int Ny, int Nz, PhantomShape Shape)
    {
        public int Count => Nx * Ny * Nz;

        /// <summary>Copies box-local labels into a full volume at the box's place.</summary>
        public void Embed(byte[] local, float[] full) => Embed((li, row) =>
        {
            for (var i = 0; i < Nx; i++)
            {
                full[row + i] = local[li + i];
            }
        });

        /// <summary>Copies box-local values into a full volume at the box's place.</summary>
        public void Embed(float[] local, float[] full) => Embed((li, row) => Array.Copy(local, li, full, row, Nx));

        private void Embed(Action<int, int> copyRow)
        {
            for (var k = 0; k < Nz; k++)
            {
                for (var j = 0; j < Ny; j++)
                {
                    copyRow(Nx * (j + (Ny * k)), X0 + (Shape.X * (Y0 + j + (Shape.Y * (Z0 + k)))));
                }
            }
        }
    }

    /// <summary>Smooth value noise: Gaussian values on a lattice of the given cell size, smoothly interpolated; sd about 1.</summary>
    private sealed class Lattice
    {
        private readonly float[] _v;
        private readonly int _lx, _ly, _lz;
        private readonly double _inv;

        public Lattice(ref SplitMix64 rng, PhantomShape shape, double cell)
        {
            _inv = 1 / Math.Max(cell, 1.5);
            _lx = (int)(shape.X * _inv) + 4;
            _ly = (int)(shape.Y * _inv) + 4;
            _lz = (int)(shape.Z * _inv) + 4;
            _v = new float[_lx * _ly * _lz];
            for (var i = 0; i < _v.Length; i++)
            {
                _v[i] = (float)(1.6 * rng.NextGaussian());
            }
        }

        public double At(double x, double y, double z)
        {
            double gx = Math.Clamp((x * _inv) + 1, 0, _lx - 2.001), gy = Math.Clamp((y * _inv) + 1, 0, _ly - 2.001);
            var gz = Math.Clamp((z * _inv) + 1, 0, _lz - 2.001);
            int ix = (int)gx, iy = (int)gy, iz = (int)gz;
            double fx = Smooth(gx - ix), fy = Smooth(gy - iy), fz = Smooth(gz - iz);
            var i = ix + (_lx * (iy + (_ly * iz)));
            int dy = _lx, dz = _lx * _ly;
            var c00 = _v[i] + ((_v[i + 1] - _v[i]) * fx);
            var c10 = _v[i + dy] + ((_v[i + dy + 1] - _v[i + dy]) * fx);
            var c01 = _v[i + dz] + ((_v[i + dz + 1] - _v[i + dz]) * fx);
            var c11 = _v[i + dy + dz] + ((_v[i + dy + dz + 1] - _v[i + dy + dz]) * fx);
            var c0 = c00 + ((c10 - c00) * fy);
            var c1 = c01 + ((c11 - c01) * fy);
            return c0 + ((c1 - c0) * fz);
        }

        private static double Smooth(double f) => f * f * (3 - (2 * f));
    }

    /// <summary>An ellipsoid (centre and radii).</summary>
    private readonly record struct Ellipsoid(double X, double Y, double Z, double Rx, double Ry, double Rz)
    {
        /// <summary>The normalised radius: below 1 inside.</summary>
        public double Rho(double x, double y, double z)
        {
            double a = (x - X) / Rx, b = (y - Y) / Ry, c = (z - Z) / Rz;
            return Math.Sqrt((a * a) + (b * b) + (c * c));
        }
    }

    /// <summary>The healthy, skull-stripped brain.</summary>
    private sealed class Brain
    {
        private readonly double _s;
        private readonly Lattice _surface, _fold, _fissure, _hyper, _csfInflow, _texture;
        private readonly Ellipsoid[] _ventricles, _plexus, _nuclei;
        private readonly double _hyperBurden, _hyperThreshold;
        private readonly bool[] _vessel, _sinus;

        public Brain(PhantomShape shape, double s, ref SplitMix64 rng)
        {
            Shape = shape;
            _s = s;
            Centre = new Ellipsoid(
                ((shape.X - 1) / 2.0) + (rng.Uniform(-3, 3) * s),
                ((shape.Y - 1) / 2.0) + (rng.Uniform(-4, 4) * s),
                ((shape.Z - 1) / 2.0) + (rng.Uniform(-3, 3) * s),
                70 * s * rng.Uniform(0.93, 1.04),
                85 * s * rng.Uniform(0.93, 1.04),
                62 * s * rng.Uniform(0.95, 1.03));
            RMean = (Centre.Rx + Centre.Ry + Centre.Rz) / 3;
            _surface = new Lattice(ref rng, shape, 22 * s);
            _fold = new Lattice(ref rng, shape, 4.5 * s);
            _fissure = new Lattice(ref rng, shape, 20 * s);
            _hyper = new Lattice(ref rng, shape, 5 * s);
            _csfInflow = new Lattice(ref rng, shape, 10 * s);
            _texture = new Lattice(ref rng, shape, 3 * s);
            _hyperBurden = rng.Uniform(0.3, 1.4);
            _hyperThreshold = rng.Uniform(1.2, 1.9);
            var (cx, cy, cz) = (Centre.X, Centre.Y, Centre.Z);
            var spread = rng.Uniform(5, 9) * s;
            var vr = rng.Uniform(0.8, 1.3);
            _ventricles =
            [
                new(cx - spread, cy + (4 * s), cz + (8 * s), 5 * s * vr, 24 * s * vr, 9 * s * vr),
                new(cx + spread, cy + (4 * s), cz + (8 * s), 5 * s * vr, 24 * s * vr, 9 * s * vr),
                new(cx, cy, cz - (4 * s), 1.5 * s * vr, 10 * s, 6 * s),
            ];
            _plexus =
            [
                new(cx - spread, cy - (14 * s * vr), cz + (5 * s), 2.5 * s, 4 * s, 2.5 * s),
                new(cx + spread, cy - (14 * s * vr), cz + (5 * s), 2.5 * s, 4 * s, 2.5 * s),
            ];
            _nuclei =
            [
                new(cx - (17 * s), cy, cz - (2 * s), 7 * s, 12 * s, 9 * s),
                new(cx + (17 * s), cy, cz - (2 * s), 7 * s, 12 * s, 9 * s),
            ];

            var margin = (int)Math.Ceiling((12 * s) + 3);
            int x0 = Math.Max(0, (int)(Centre.X - Centre.Rx) - margin), x1 = Math.Min(shape.X, (int)(Centre.X + Centre.Rx) + margin + 1);
            int y0 = Math.Max(0, (int)(Centre.Y - Centre.Ry) - margin), y1 = Math.Min(shape.Y, (int)(Centre.Y + Centre.Ry) + margin + 1);
            int z0 = Math.Max(0, (int)(Centre.Z - Centre.Rz) - margin), z1 = Math.Min(shape.Z, (int)(Centre.Z + Centre.Rz) + margin + 1);
            Box = new Box(x0, y0, z0, x1 - x0, y1 - y0, z1 - z0, shape);
            _vessel = new bool[Box.Count];
            _sinus = new bool[Box.Count];

            // Deep vessels: straight tubes through the brain; cortical veins: short tubes along the surface.
            var deep = 12 + rng.NextInt(9);
            for (var k = 0; k < deep; k++)
            {
                var (x, y, z) = PointInBrain(ref rng, 0.8);
                PaintTube(x, y, z, RandomDirection(ref rng), rng.Uniform(20, 60) * s, rng.Uniform(0.7, 1.6) * Math.Max(1, 1.2 * s));
            }

            var veins = 25 + rng.NextInt(16);
            for (var k = 0; k < veins; k++)
            {
                var d = RandomDirection(ref rng);
                var rho = 1 - (rng.Uniform(1, 4) * s / RMean);
                var (x, y, z) = (Centre.X + (rho * d.X * Centre.Rx), Centre.Y + (rho * d.Y * Centre.Ry), Centre.Z + (rho * d.Z * Centre.Rz));
                PaintTube(x, y, z, Tangent(d, ref rng), rng.Uniform(12, 30) * s, rng.Uniform(0.7, 1.5) * Math.Max(1, 1.2 * s));
            }

            PaintSinuses(ref rng);
        }

        public PhantomShape Shape { get; }

        /// <summary>Anatomy scale: 1 in 240x240x155.</summary>
        public double S => _s;

        public Ellipsoid Centre { get; }

        public double RMean { get; }

        public Box Box { get; }

        public double Volume => 4.0 / 3 * Math.PI * Centre.Rx * Centre.Ry * Centre.Rz;

        public static (double X, double Y, double Z) RandomDirection(ref SplitMix64 rng)
        {
            double dx = rng.NextGaussian(), dy = rng.NextGaussian(), dz = rng.NextGaussian();
            var norm = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)) + 1e-12;
            return (dx / norm, dy / norm, dz / norm);
        }

        /// <summary>A random unit direction perpendicular to <paramref name="d"/>.</summary>
        public static (double X, double Y, double Z) Tangent((double X, double Y, double Z) d, ref SplitMix64 rng)
        {
            var r = RandomDirection(ref rng);
            var dot = (r.X * d.X) + (r.Y * d.Y) + (r.Z * d.Z);
            double tx = r.X - (dot * d.X), ty = r.Y - (dot * d.Y), tz = r.Z - (dot * d.Z);
            var norm = Math.Sqrt((tx * tx) + (ty * ty) + (tz * tz)) + 1e-12;
            return (tx / norm, ty / norm, tz / norm);
        }

        /// <summary>Distance inward from the brain's surface (mm), approximately; negative outside.</summary>
        public double Depth(double x, double y, double z) =>
            ((1 - Centre.Rho(x, y, z)) * RMean) + (2.5 * _s * _surface.At(x, y, z));

        public bool InVentricle(double x, double y, double z) => Array.Exists(_ventricles, v => v.Rho(x, y, z) <= 1);

        public double Texture(double x, double y, double z) => _texture.At(x, y, z);

        public double CsfInflow(double x, double y, double z) => _csfInflow.At(x, y, z);

        public (double X, double Y, double Z) PointInBrain(ref SplitMix64 rng, double maxRho)
        {
            while (true)
            {
                double u = rng.Uniform(-1, 1), v = rng.Uniform(-1, 1), w = rng.Uniform(-1, 1);
                if ((u * u) + (v * v) + (w * w) <= maxRho * maxRho)
                {
                    return (Centre.X + (u * Centre.Rx), Centre.Y + (v * Centre.Ry), Centre.Z + (w * Centre.Rz));
                }
            }
        }

        /// <summary>Two to four vessels running tangentially past the tumour's core, touching its rim.</summary>
        public void PaintVesselsPast(Tumour tumour, ref SplitMix64 rng)
        {
            var count = 2 + rng.NextInt(3);
            for (var k = 0; k < count; k++)
            {
                var d = RandomDirection(ref rng);
                var r = tumour.Core * rng.Uniform(0.95, 1.25);
                PaintTube(tumour.X + (r * d.X), tumour.Y + (r * d.Y), tumour.Z + (r * d.Z), Tangent(d, ref rng), rng.Uniform(20, 40) * _s, rng.Uniform(0.6, 1.3) * Math.Max(1, 1.2 * _s));
            }
        }

        /// <summary>The healthy tissue at a voxel and its white-matter hyperintensity strength in [0, 1].</summary>
        public Tissue TissueAt(int x, int y, int z, out double hyperintensity)
        {
            hyperintensity = 0;
            var depth = Depth(x, y, z);
            if (depth <= 0)
            {
                return Tissue.Background;
            }

            // Dural sinuses that skull stripping left behind lie on the surface, over the CSF.
            var li = x - Box.X0 + (Box.Nx * (y - Box.Y0 + (Box.Ny * (z - Box.Z0))));
            if (_sinus[li])
            {
                return Tissue.Vessel;
            }

            var fold = 3.5 * _s * _fold.At(x, y, z);
            if (depth < _s + Math.Max(0, fold))
            {
                return Tissue.Csf;
            }

            // The interhemispheric fissure, above the corpus callosum.
            if (z > Centre.Z + (0.15 * Centre.Rz) && Math.Abs(x - Centre.X - (2 * _s * _fissure.At(x, y, z))) < Math.Max(0.6, 1.2 * _s))
            {
                return Tissue.Csf;
            }

            if (_vessel[li])
            {
                return Tissue.Vessel;
            }

            if (Array.Exists(_plexus, p => p.Rho(x, y, z) <= 1))
            {
                return Tissue.Plexus;
            }

            var rhoVentricle = Math.Min(_ventricles[0].Rho(x, y, z), _ventricles[1].Rho(x, y, z));
            if (rhoVentricle <= 1 || _ventricles[2].Rho(x, y, z) <= 1)
            {
                return Tissue.Csf;
            }

            if (depth < Math.Max(2.5 * _s, (4.5 * _s) + (1.2 * fold)))
            {
                return Tissue.Grey;
            }

            // Hyperintensities: blobs anywhere in the white matter and caps around the lateral ventricles.
            var cap = _hyperBurden * 2.5 * Math.Max(0, 1 - ((rhoVentricle - 1) / 0.45));
            hyperintensity = Math.Clamp((_hyper.At(x, y, z) + cap - _hyperThreshold) / 0.6, 0, 1);
            return Array.Exists(_nuclei, n => n.Rho(x, y, z) <= 1) ? Tissue.Deep : Tissue.White;
        }

        /// <summary>
        /// The superior sagittal sinus along the top of the midline and the transverse sinuses around the back, as
        /// bright on T1c as enhancing tumour: in BraTS's skull-stripped volumes stretches of them often remain, and
        /// a threshold on T1c cannot tell them from enhancing rims (a network can, by place and shape). Each stretch
        /// is kept with some chance, as stripping keeps some and removes others.
        /// </summary>
        private void PaintSinuses(ref SplitMix64 rng)
        {
            var radius = Math.Max(1, rng.Uniform(3, 5) * _s);
            var rho = 1 - (rng.Uniform(2.5, 4) * _s / RMean);
            const int Stretches = 12;
            for (var k = 0; k < Stretches; k++)
            {
                if (rng.NextDouble() >= 0.75)
                {
                    continue;
                }

                // Six stretches of each sinus, painted every quarter millimetre or so along its arc.
                var sagittal = k < Stretches / 2;
                for (var t = 0.0; t < 1; t += 0.25 / Math.Max(Centre.Ry, 1))
                {
                    var u = (k % (Stretches / 2) + t) / (Stretches / 2);
                    if (sagittal)
                    {
                        // From the forehead over the vertex to the back of the head, just above the centre's height.
                        var a = Math.PI * (0.15 + u);
                        Paint(_sinus, Centre.X, Centre.Y + (rho * Centre.Ry * Math.Cos(a)), Centre.Z + (rho * Centre.Rz * Math.Sin(a)), radius);
                    }
                    else
                    {
                        // Around the back, a little below the centre's height, to either side.
                        var a = Math.PI * (1.5 + (0.45 * ((2 * u) - 1)));
                        var z = Centre.Z - (0.15 * Centre.Rz);
                        var flat = Math.Sqrt(1 - (0.15 * 0.15));
                        Paint(_sinus, Centre.X + (rho * flat * Centre.Rx * Math.Cos(a)), Centre.Y + (rho * flat * Centre.Ry * Math.Sin(a)), z, radius * 0.9);
                    }
                }
            }
        }

        private void PaintTube(double x, double y, double z, (double X, double Y, double Z) d, double length, double radius)
        {
            for (var t = -length / 2; t <= length / 2; t += 0.5)
            {
                Paint(_vessel, x + (t * d.X), y + (t * d.Y), z + (t * d.Z), radius);
            }
        }

        private void Paint(bool[] mask, double x, double y, double z, double radius)
        {
            var r = (int)Math.Ceiling(radius);
            for (var k = (int)z - r; k <= (int)z + r + 1; k++)
            {
                for (var j = (int)y - r; j <= (int)y + r + 1; j++)
                {
                    for (var i = (int)x - r; i <= (int)x + r + 1; i++)
                    {
                        if (i >= Box.X0 && j >= Box.Y0 && k >= Box.Z0 && i < Box.X0 + Box.Nx && j < Box.Y0 + Box.Ny && k < Box.Z0 + Box.Nz
                            && ((i - x) * (i - x)) + ((j - y) * (j - y)) + ((k - z) * (k - z)) <= radius * radius)
                        {
                            mask[i - Box.X0 + (Box.Nx * (j - Box.Y0 + (Box.Ny * (k - Box.Z0))))] = true;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// One lesion: a core (necrosis, non-enhancing tumour, a thin broken enhancing rim) inside infiltrative edema,
    /// each border irregular.
    /// </summary>
    private sealed class Tumour
    {
        private readonly double _edema, _rim, _netCut, _rimCut, _fadeMiddle, _fadeWidth;
        private readonly bool _lowGrade, _necrotic;
        private readonly Lattice _coreShape, _edemaShape, _labelJitter, _nonEnhancing, _rimGaps, _enhancement, _heterogeneity;
        private readonly int _x0, _x1, _y0, _y1, _z0, _z1;

        private Tumour(Brain brain, (double X, double Y, double Z) centre, double core, double edema, bool lowGrade, ref SplitMix64 rng)
        {
            (X, Y, Z) = centre;
            Core = core;
            _edema = edema;
            _lowGrade = lowGrade;
            _necrotic = !lowGrade && rng.NextDouble() < 0.8;
            _rim = Math.Max(1.5, rng.Uniform(3, 7) * brain.S);
            _netCut = rng.Uniform(0.3, 1.2);
            _rimCut = rng.Uniform(-1.5, -0.3);
            _fadeMiddle = rng.Uniform(0.4, 0.75);
            _fadeWidth = rng.Uniform(0.15, 0.3);
            var shape = brain.Shape;
            _coreShape = new Lattice(ref rng, shape, core * 0.6);
            _edemaShape = new Lattice(ref rng, shape, edema * 0.5);
            _labelJitter = new Lattice(ref rng, shape, Math.Max(2, edema * 0.2));
            _nonEnhancing = new Lattice(ref rng, shape, Math.Max(2, core * 0.3));
            _rimGaps = new Lattice(ref rng, shape, Math.Max(2, core * 0.35));
            _enhancement = new Lattice(ref rng, shape, Math.Max(2, core * 0.2));
            _heterogeneity = new Lattice(ref rng, shape, Math.Max(2, edema * 0.25));
            var reach = (edema * 2.2) + 2;
            (_x0, _x1, _y0, _y1, _z0, _z1) = ((int)(X - reach), (int)(X + reach) + 1, (int)(Y - reach), (int)(Y + reach) + 1, (int)(Z - reach), (int)(Z + reach) + 1);
        }

        public double X { get; }

        public double Y { get; }

        public double Z { get; }

        /// <summary>Mean radius of the core (mm).</summary>
        public double Core { get; }

        /// <param name="brain">The brain to place the lesion in.</param>
        /// <param name="scale">Linear size relative to a main lesion.</param>
        /// <param name="lowGrade">No enhancing tumour: a non-enhancing core.</param>
        /// <param name="atEdge">Centred so close to the brain's surface that the core is cut by it.</param>
        /// <param name="rng">The case's generator.</param>
        public static Tumour Sample(Brain brain, double scale, bool lowGrade, bool atEdge, ref SplitMix64 rng)
        {
            // Whole tumour of a main lesion: 2-6 % of the brain before irregularity, cuts and satellites.
            var fraction = rng.Uniform(0.02, 0.06);
            var edema = Math.Cbrt(fraction * brain.Volume * 3 / (4 * Math.PI)) * scale;
            var core = edema * (lowGrade ? rng.Uniform(0.55, 0.8) : rng.Uniform(0.58, 0.8));
            (double X, double Y, double Z) centre;
            if (atEdge)
            {
                var d = Brain.RandomDirection(ref rng);
                var rho = 1 - (core * rng.Uniform(0.1, 0.6) / brain.RMean);
                var c = brain.Centre;
                centre = (c.X + (rho * d.X * c.Rx), c.Y + (rho * d.Y * c.Ry), c.Z + (rho * d.Z * c.Rz));
            }
            else
            {
                do
                {
                    centre = brain.PointInBrain(ref rng, 0.65);
                }
                while (brain.InVentricle(centre.X, centre.Y, centre.Z) || brain.Depth(centre.X, centre.Y, centre.Z) < core);
            }

            return new Tumour(brain, centre, core, edema, lowGrade, ref rng);
        }

        public double Enhancement(double x, double y, double z) => _enhancement.At(x, y, z);

        /// <summary>
        /// The lesion's tissue at a voxel (null outside the core), the edema signal strength <paramref name="edema"/>
        /// in [0, 1] (it fades past the labelled border) and whether the voxel is labelled edema.
        /// </summary>
        public Tissue? TissueAt(int x, int y, int z, out double edema, out bool labelled)
        {
            edema = 0;
            labelled = false;
            if (x < _x0 || x > _x1 || y < _y0 || y > _y1 || z < _z0 || z > _z1)
            {
                return null;
            }

            double dx = x - X, dy = y - Y, dz = z - Z;
            var r = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
            var core = Core * (1 + (0.22 * _coreShape.At(x, y, z)));
            if (r < core)
            {
                if (_lowGrade)
                {
                    return _nonEnhancing.At(x, y, z) < -2.2 ? Tissue.Necrosis : Tissue.NonEnhancing;
                }

                if (_nonEnhancing.At(x, y, z) > _netCut)
                {
                    return Tissue.NonEnhancing;
                }

                if (r >= core - _rim)
                {
                    return _rimGaps.At(x, y, z) > _rimCut ? Tissue.Enhancing : Tissue.NonEnhancing;
                }

                return _necrotic ? Tissue.Necrosis : Tissue.NonEnhancing;
            }

            var outer = Math.Max(core + 1.5, _edema * (1 + (0.2 * _edemaShape.At(x, y, z))));
            var v = (r - core) / (outer - core);
            if (v > 2.5)
            {
                return null;
            }

            var strength = Math.Clamp(0.9 + (0.12 * _heterogeneity.At(x, y, z)), 0.5, 1);
            edema = strength / (1 + Math.Exp((v - _fadeMiddle) / _fadeWidth));
            labelled = v < 1 + (0.25 * _labelJitter.At(x, y, z));
            return null;
        }
    }

    /// <summary>The case's scanner: contrast, gamma, bias, blur, noise, slice thickness and normalisation per modality.</summary>
    private sealed class Scanner
    {
        private readonly double[][] _bias;
        private readonly double[] _noise, _gain;
        private readonly int[] _thickness, _phase;
        private readonly double _blur;
        private readonly Normalisation _normalisation;

        public Scanner(double s, ref SplitMix64 rng)
        {
            var tissues = RealisticPhantoms.Contrast.GetLength(0);
            Contrast = new double[tissues, ModalityCount];
            Edema = new double[ModalityCount];
            Hyperintensity = new double[ModalityCount];
            Gamma = new double[ModalityCount];
            _bias = new double[ModalityCount][];
            _noise = new double[ModalityCount];
            _gain = new double[ModalityCount];
            _thickness = new int[ModalityCount];
            _phase = new int[ModalityCount];
            for (var m = 0; m < ModalityCount; m++)
            {
                for (var t = 0; t < tissues; t++)
                {
                    Contrast[t, m] = RealisticPhantoms.Contrast[t, m] * Math.Exp(0.06 * rng.NextGaussian());
                }

                Edema[m] = EdemaContrast[m] * Math.Exp(0.05 * rng.NextGaussian());
                Hyperintensity[m] = HyperintensityContrast[m] * Math.Exp(0.05 * rng.NextGaussian());
                Gamma[m] = rng.Uniform(0.8, 1.25);
                _bias[m] = new double[9];
                for (var k = 0; k < 9; k++)
                {
                    _bias[m][k] = k < 3 ? rng.Uniform(-0.22, 0.22) : rng.Uniform(-0.12, 0.12);
                }

                _noise[m] = rng.Uniform(0.025, 0.05);
                _gain[m] = rng.Uniform(200, 1200);
                _thickness[m] = rng.NextDouble() < ThickSliceChance[m] ? Math.Max(2, (int)Math.Round(rng.Uniform(3, 6.49) * Math.Min(1, s))) : 1;
                _phase[m] = rng.NextInt(_thickness[m]);
            }

            _blur = rng.Uniform(0.6, 1.0);
            var n = rng.NextDouble();
            _normalisation = n < 0.4 ? Normalisation.ScannerUnits : n < 0.75 ? Normalisation.ZScoreMinimumBackground : Normalisation.ZScoreZeroBackground;
        }

        public double[,] Contrast { get; }

        public double[] Edema { get; }

        public double[] Hyperintensity { get; }

        public double[] Gamma { get; }

        /// <summary>Bias field, partial-volume blur, Rician noise and thick slices, in place, on the box's images.</summary>
        public void Acquire(Brain brain, float[][] images, bool[] inside, ulong caseSeed)
        {
            var box = brain.Box;
            var kernel = Gaussian(_blur);
            for (var m = 0; m < ModalityCount; m++)
            {
                var image = images[m];
                var bias = _bias[m];
                var sigma = _noise[m];
                var c = brain.Centre;
                Parallel.For(0, box.Nz, k =>
                {
                    var w = (box.Z0 + k - c.Z) / c.Rz;
                    for (var j = 0; j < box.Ny; j++)
                    {
                        var v = (box.Y0 + j - c.Y) / c.Ry;
                        for (var i = 0; i < box.Nx; i++)
                        {
                            var u = (box.X0 + i - c.X) / c.Rx;
                            var li = i + (box.Nx * (j + (box.Ny * k)));
                            if (!inside[li])
                            {
                                continue;
                            }

                            image[li] *= (float)Math.Exp((bias[0] * u) + (bias[1] * v) + (bias[2] * w) + (bias[3] * u * u) + (bias[4] * v * v)
                                + (bias[5] * w * w) + (bias[6] * u * v) + (bias[7] * v * w) + (bias[8] * u * w));
                        }
                    }
                });

                // Partial volume: every boundary, the brain's edge included, is blurred.
                for (var axis = 0; axis < 3; axis++)
                {
                    Convolve(image, box, axis, kernel);
                }

                var modality = m;
                Parallel.For(0, box.Nz, k =>
                {
                    var noise = new SplitMix64(SplitMix64.Mix((long)caseSeed, k, 2 + modality));
                    var start = box.Nx * box.Ny * k;
                    for (var li = start; li < start + (box.Nx * box.Ny); li++)
                    {
                        if (inside[li])
                        {
                            var re = image[li] + (sigma * noise.NextGaussian());
                            var im = sigma * noise.NextGaussian();
                            image[li] = (float)Math.Sqrt((re * re) + (im * im));
                        }
                    }
                });

                if (_thickness[m] > 1)
                {
                    ThickSlices(image, box, _thickness[m], _phase[m]);
                }
            }
        }

        /// <summary>The full volumes, normalised per the case's convention, background constant.</summary>
        public float[][] Normalise(Box box, float[][] images, bool[] inside, PhantomShape shape)
        {
            var result = new float[ModalityCount][];
            for (var m = 0; m < ModalityCount; m++)
            {
                var image = images[m];
                double sum = 0, sum2 = 0, min = double.MaxValue;
                long count = 0;
                for (var li = 0; li < image.Length; li++)
                {
                    if (inside[li])
                    {
                        sum += image[li];
                        sum2 += (double)image[li] * image[li];
                        min = Math.Min(min, image[li]);
                        count++;
                    }
                }

                var mean = sum / count;
                var sd = Math.Sqrt(Math.Max(1e-12, (sum2 / count) - (mean * mean)));
                float background;
                var local = new float[image.Length];
                if (_normalisation == Normalisation.ScannerUnits)
                {
                    background = 0;
                    for (var li = 0; li < image.Length; li++)
                    {
                        local[li] = inside[li] ? (float)Math.Clamp(Math.Round(_gain[m] * image[li]), 1, short.MaxValue) : 0;
                    }
                }
                else
                {
                    background = _normalisation == Normalisation.ZScoreZeroBackground ? 0f : (float)((min - mean) / sd);
                    for (var li = 0; li < image.Length; li++)
                    {
                        local[li] = inside[li] ? (float)((image[li] - mean) / sd) : background;
                    }
                }

                var full = new float[(long)shape.X * shape.Y * shape.Z];
                Array.Fill(full, background);
                box.Embed(local, full);
                result[m] = full;
            }

            return result;
        }

        private static float[] Gaussian(double sigma)
        {
            var radius = (int)Math.Ceiling(2.5 * sigma);
            var kernel = new float[(2 * radius) + 1];
            double total = 0;
            for (var k = -radius; k <= radius; k++)
            {
                total += Math.Exp(-(k * k) / (2 * sigma * sigma));
            }

            for (var k = -radius; k <= radius; k++)
            {
                kernel[k + radius] = (float)(Math.Exp(-(k * k) / (2 * sigma * sigma)) / total);
            }

            return kernel;
        }

        /// <summary>Convolves along one axis with zeros outside the box.</summary>
        private static void Convolve(float[] image, Box box, int axis, float[] kernel)
        {
            var (length, stride) = axis switch
            {
                0 => (box.Nx, 1),
                1 => (box.Ny, box.Nx),
                _ => (box.Nz, box.Nx * box.Ny),
            };
            var lines = box.Count / length;
            var radius = kernel.Length / 2;
            Parallel.For(0, lines, () => new float[length], (line, _, buffer) =>
            {
                var start = axis switch
                {
                    0 => line * box.Nx,
                    1 => (line % box.Nx) + (box.Nx * box.Ny * (line / box.Nx)),
                    _ => line,
                };
                for (var t = 0; t < length; t++)
                {
                    buffer[t] = image[start + (t * stride)];
                }

                for (var t = 0; t < length; t++)
                {
                    var acc = 0f;
                    for (var q = -radius; q <= radius; q++)
                    {
                        var p = t + q;
                        if (p >= 0 && p < length)
                        {
                            acc += kernel[q + radius] * buffer[p];
                        }
                    }

                    image[start + (t * stride)] = acc;
                }

                return buffer;
            }, _ => { });
        }

        /// <summary>Acquires slices <paramref name="thickness"/> mm thick along z (box average) and interpolates them back to 1 mm linearly.</summary>
        private static void ThickSlices(float[] image, Box box, int thickness, int phase)
        {
            var plane = box.Nx * box.Ny;
            var slices = (box.Nz + phase + thickness - 1) / thickness;
            Parallel.For(0, plane, () => (new float[slices], new double[slices]), (p, _, buffers) =>
            {
                var (acquired, centres) = buffers;
                for (var q = 0; q < slices; q++)
                {
                    int from = Math.Max(0, (q * thickness) - phase), to = Math.Min(box.Nz, ((q + 1) * thickness) - phase);
                    var sum = 0f;
                    for (var k = from; k < to; k++)
                    {
                        sum += image[p + (plane * k)];
                    }

                    acquired[q] = to > from ? sum / (to - from) : 0;
                    centres[q] = (from + to - 1) / 2.0;
                }

                for (var k = 0; k < box.Nz; k++)
                {
                    var q = Math.Min(slices - 2, Math.Max(0, (k + phase) / thickness));
                    if (k < centres[q] && q > 0)
                    {
                        q--;
                    }

                    var span = centres[q + 1] - centres[q];
                    var f = span > 0 ? Math.Clamp((k - centres[q]) / span, 0, 1) : 0;
                    image[p + (plane * k)] = (float)(acquired[q] + ((acquired[q + 1] - acquired[q]) * f));
                }

                return buffers;
            }, _ => { });
        }
    }
}
