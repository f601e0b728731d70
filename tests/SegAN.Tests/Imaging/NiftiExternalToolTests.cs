using System.Globalization;
using SegAN.Imaging;
using static SegAN.Tests.Imaging.ImagingTestSupport;

namespace SegAN.Tests.Imaging;

/// <summary>
/// Files we write, read by independent implementations (nifti_tool from nifti_clib, nibabel), and files they
/// write, read by us. Skipped when the tools are missing, except under CI=true.
/// </summary>
public sealed class NiftiExternalToolTests
{
    /// <summary>nifti_tool -disp_hdr or -disp_nim output: field name -> values.</summary>
    private static Dictionary<string, string[]> NiftiTool(string option, string path)
    {
        var output = RunTool("nifti_tool", option, "-infiles", path);
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 3 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out _) && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var n) && parts.Length == 3 + n)
            {
                fields[parts[0]] = parts[3..];
            }
        }

        return fields;
    }

    private static double[] Values(Dictionary<string, string[]> fields, string name) =>
        [.. fields[name].Select(Number)];

    private static void AssertMatrix(double[,] expected, double[] rowMajor, string what)
    {
        for (var k = 0; k < 16; k++)
        {
            Assert.True(Math.Abs(rowMajor[k] - expected[k / 4, k % 4]) < 1e-4, $"{what}[{k / 4},{k % 4}] = {rowMajor[k]}, expected {expected[k / 4, k % 4]}");
        }
    }

    [SkippableTheory]
    [InlineData(NiftiVersion.Nifti1, false, "a.nii")]
    [InlineData(NiftiVersion.Nifti1, true, "b.nii.gz")]
    [InlineData(NiftiVersion.Nifti2, false, "c.nii.gz")]
    [InlineData(NiftiVersion.Nifti2, true, "d.nii")]
    public void Write_HeaderAsSeenByNiftiTool_MatchesOurs(NiftiVersion version, bool bigEndian, string name)
    {
        // Given an oblique int16 volume written by us
        using var dir = new TempDir();
        var path = dir.File(name);
        var affine = NiftiFileTests.ObliqueAffine();
        NiftiFile.Write(path, new Volume(new float[3 * 4 * 5], new ImageGeometry([3, 4, 5], [0.9, 1.1, 2.5], affine)), NiftiDataType.Int16, version, bigEndian);

        // When nifti_clib loads it (-disp_nim: byte-swapped, with its own qform and sform matrices)
        var nim = NiftiTool("-disp_nim", path);

        // Then dims, datatype, byte order, pixdim, codes, the sform and nifti_clib's qform are the ones we meant
        Assert.Equal([3.0, 3, 4, 5, 1, 1, 1, 1], Values(nim, "dim"));
        Assert.Equal("4", nim["datatype"][0]);
        Assert.Equal(bigEndian ? "2" : "1", nim["byteorder"][0]); // MSB_FIRST = 2, LSB_FIRST = 1
        Assert.Equal([0.9, 1.1, 2.5], Values(nim, "pixdim")[1..4], (x, y) => Math.Abs(x - y) < 1e-5);
        Assert.Equal(-1.0, Values(nim, "qfac")[0]); // nifti_clib keeps pixdim[0] as qfac
        Assert.Equal(("1", "2"), (nim["qform_code"][0], nim["sform_code"][0]));
        AssertMatrix(affine, Values(nim, "sto_xyz"), "sto_xyz");
        AssertMatrix(affine, Values(nim, "qto_xyz"), "qto_xyz");

        // And the raw header fields (-disp_hdr shows them unswapped, so only for little-endian files) agree
        if (!bigEndian)
        {
            var h = NiftiTool("-disp_hdr", path);
            Assert.Equal(version == NiftiVersion.Nifti1 ? "348" : "540", h["sizeof_hdr"][0]);
            Assert.Equal([3.0, 3, 4, 5, 1, 1, 1, 1], Values(h, "dim"));
            Assert.Equal([-1.0, 0.9, 1.1, 2.5], Values(h, "pixdim")[..4], (x, y) => Math.Abs(x - y) < 1e-5);
            Assert.Equal(("4", "16"), (h["datatype"][0], h["bitpix"][0]));
            Assert.Equal(("1", "2"), (h["qform_code"][0], h["sform_code"][0]));
            AssertMatrix(affine, [.. Values(h, "srow_x"), .. Values(h, "srow_y"), .. Values(h, "srow_z"), 0, 0, 0, 1], "srow");
        }
    }

    [SkippableFact]
    public void Write_Nifti1Header_PassesNiftiToolCheck()
    {
        using var dir = new TempDir();
        var path = dir.File("check.nii.gz");
        NiftiFile.Write(path, Ramp(3, 4, 5), NiftiDataType.Float32);

        var output = RunTool("nifti_tool", "-check_hdr", "-infiles", path);

        Assert.Contains("header IS GOOD", output, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(NiftiVersion.Nifti1, false)]
    [InlineData(NiftiVersion.Nifti2, true)]
    public void Write_AffineAndValuesAsSeenByNibabel_MatchOurs(NiftiVersion version, bool bigEndian)
    {
        // Given an oblique float32 volume written by us
        using var dir = new TempDir();
        var path = dir.File("nib.nii.gz");
        var affine = NiftiFileTests.ObliqueAffine();
        var volume = new Volume([.. Enumerable.Range(0, 60).Select(i => (i * 0.25f) - 3)], new ImageGeometry([3, 4, 5], [0.9, 1.1, 2.5], affine));
        NiftiFile.Write(path, volume, NiftiDataType.Float32, version, bigEndian);

        // When nibabel loads it (affine, qform, then voxels in x-fastest order)
        var output = Nibabel(
            "import sys, nibabel as nib, numpy as np\n" +
            "img = nib.load(sys.argv[1])\n" +
            "print(' '.join(repr(float(v)) for v in img.affine.ravel()))\n" +
            "print(' '.join(repr(float(v)) for v in img.header.get_qform().ravel()))\n" +
            "print(' '.join(repr(float(v)) for v in img.get_fdata().ravel(order='F')))\n",
            path);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Then its affine and qform are ours, and so are the voxels
        var nibAffine = Numbers(lines[0]).Select(Number).ToArray();
        var nibQform = Numbers(lines[1]).Select(Number).ToArray();
        for (var k = 0; k < 16; k++)
        {
            Assert.True(Math.Abs(nibAffine[k] - affine[k / 4, k % 4]) < 1e-5, $"affine[{k / 4},{k % 4}]: nibabel {nibAffine[k]}, ours {affine[k / 4, k % 4]}");
            Assert.True(Math.Abs(nibQform[k] - affine[k / 4, k % 4]) < 1e-5, $"qform[{k / 4},{k % 4}]: nibabel {nibQform[k]}, ours {affine[k / 4, k % 4]}");
        }

        Assert.Equal(volume.Data, Numbers(lines[2]).Select(s => (float)Number(s)).ToArray());
    }

    [SkippableFact]
    public void Read_BigEndianScaledFileWrittenByNibabel_MatchesNibabelValues()
    {
        // Given a big-endian int16 NIfTI-1 with scl_slope 0.5, scl_inter -3 and a qform-only oblique affine, from nibabel
        using var dir = new TempDir();
        var path = dir.File("be.nii");
        var output = Nibabel(
            "import sys, nibabel as nib, numpy as np\n" +
            "a = (np.arange(60, dtype='>i2') * 7 - 100).reshape(3, 4, 5, order='F')\n" +
            "aff = np.array([[0, -2, 0, 10], [1.5, 0, 0, -5], [0, 0, 3, 1], [0, 0, 0, 1.0]])\n" +
            "img = nib.Nifti1Image(a, None, nib.Nifti1Header(endianness='>'))\n" +
            "img.header.set_qform(aff, code=1)\n" +
            "img.header.set_sform(None, code=0)\n" +
            "img.set_data_dtype(np.dtype('>i2'))\n" +
            "img.header.set_slope_inter(0.5, -3)\n" +
            "nib.save(img, sys.argv[1])\n" +
            "back = nib.load(sys.argv[1])\n" +
            "print(back.header.endianness)\n" +
            "print(' '.join(repr(float(v)) for v in back.affine.ravel()))\n" +
            "print(' '.join(repr(float(v)) for v in back.get_fdata().ravel(order='F')))\n",
            path);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(">", lines[0]);

        // When we read it
        var image = NiftiFile.Read(path);

        // Then byte order, scaled values and the qform affine agree with nibabel
        Assert.True(image.BigEndian);
        Assert.Equal(NiftiDataType.Int16, image.DataType);
        Assert.Equal(Numbers(lines[2]).Select(s => (float)Number(s)).ToArray(), image.Volumes[0].Data);
        var nibAffine = Numbers(lines[1]).Select(Number).ToArray();
        for (var k = 0; k < 16; k++)
        {
            Assert.True(Math.Abs(nibAffine[k] - image.Geometry.Affine[k / 4, k % 4]) < 1e-5, $"affine[{k / 4},{k % 4}]: nibabel {nibAffine[k]}, ours {image.Geometry.Affine[k / 4, k % 4]}");
        }
    }

    [SkippableTheory]
    [InlineData("standard.nii.gz")]
    [InlineData("functional.nii")]
    [InlineData("example4d.nii.gz")]
    public void Read_SharedTestFiles_AffineAndValuesMatchNibabel(string name)
    {
        // Given a file from the shared test data
        var path = Path.Combine(NiftiTestData(), name);

        // When nibabel and we read it
        var output = Nibabel(
            "import sys, nibabel as nib, numpy as np\n" +
            "img = nib.load(sys.argv[1])\n" +
            "d = img.get_fdata()\n" +
            "print(' '.join(repr(float(v)) for v in img.affine.ravel()))\n" +
            "print(repr(float(d.sum())), repr(float(d.min())), repr(float(d.max())), repr(float(d.ravel(order='F')[-1])))\n",
            path);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var image = NiftiFile.Read(path);

        // Then the affines and the voxel statistics agree
        var nibAffine = Numbers(lines[0]).Select(Number).ToArray();
        for (var k = 0; k < 16; k++)
        {
            Assert.True(Math.Abs(nibAffine[k] - image.Geometry.Affine[k / 4, k % 4]) < 1e-4, $"affine[{k / 4},{k % 4}]: nibabel {nibAffine[k]}, ours {image.Geometry.Affine[k / 4, k % 4]}");
        }

        var stats = Numbers(lines[1]).Select(Number).ToArray();
        var all = image.Volumes.SelectMany(v => v.Data).ToArray();
        // float32 voxels against nibabel's float64: equal to float32 precision
        Assert.True(Math.Abs(stats[0] - all.Sum(v => (double)v)) <= 1e-6 * Math.Abs(stats[0]), $"sum: nibabel {stats[0]}, ours {all.Sum(v => (double)v)}");
        Assert.Equal((float)stats[1], all.Min());
        Assert.Equal((float)stats[2], all.Max());
        Assert.Equal((float)stats[3], all[^1]);
    }
}
