using SegAN.Imaging;
using SegAN.Reporting;

namespace SegAN.Tests.Reporting;

public sealed class TumourOverlayTests
{
    [Fact]
    public void LargestSlice_IsTheSliceWithMostVoxels()
    {
        // Given a 4x4x5 mask with 2 voxels at z = 1 and 5 voxels at z = 3
        var mask = new bool[80];
        mask[16] = mask[17] = true;
        for (var i = 48; i < 53; i++)
        {
            mask[i] = true;
        }

        Assert.Equal(3, TumourOverlay.LargestSlice(mask, [4, 4, 5]));
        Assert.Equal(2, TumourOverlay.LargestSlice(new bool[80], [4, 4, 5]));
        Assert.Equal([3, 1], TumourOverlay.PickSlices(mask, [4, 4, 5], 3));
    }

    [Fact]
    public void RenderSlice_PaintsRegionsInFig3Colours_InsideTheirMasks()
    {
        // Given a 40 x 30 x 3 gradient image with nested square regions on slice 1
        var (image, masks) = Phantom();

        // When rendering slice 1 without scaling
        var picture = TumourOverlay.RenderSlice(image, 1, masks, scale: 1);

        // Then outside the tumour the pixels are grey, the ET centre is red-tinted and the WT-only ring yellow-tinted.
        // BraTS-like affine diag(-1, -1, 1): no flips, so picture (x, y) is voxel (x, y).
        var background = picture[2, 2];
        Assert.True(background.R == background.G && background.G == background.B);
        var et = picture[20, 15];
        Assert.True(et.R > et.G + 40 && et.R > et.B + 40, $"ET pixel {et}");
        var wtOnly = picture[12, 15];
        Assert.True(wtOnly.R > wtOnly.B + 40 && wtOnly.G > wtOnly.B + 40, $"WT pixel {wtOnly}");
        var tcEdge = picture[16, 15];
        Assert.Equal(Rgb.Blue, tcEdge);
    }

    [Fact]
    public void RenderSlice_FollowsRadiologicalConvention_ForRasAffine()
    {
        // Given the same image with a RAS affine diag(+1, +1, 1): x and y flip in the picture
        var (image, masks) = Phantom();
        var ras = new Volume(image.Data, ImageGeometry.FromSpacing([40, 30, 3], [1, 1, 1]));

        var picture = TumourOverlay.RenderSlice(ras, 1, masks, scale: 1);

        // Then voxel (12, 15), in the WT ring on the left, appears at column 39 - 12 = 27, row 29 - 15 = 14
        var p = picture[27, 14];
        Assert.True(p.R > p.B + 40 && p.G > p.B + 40, $"pixel {p}");
    }

    [Fact]
    public void RenderComparison_PutsThreePanelsSideBySide_AndWrites()
    {
        var (image, masks) = Phantom();
        var empty = new TumourMasks(new bool[image.Data.Length], new bool[image.Data.Length], new bool[image.Data.Length]);

        var picture = TumourOverlay.RenderComparison(image, 1, masks, empty, "case-001, slice 1", scale: 4);

        Assert.True(picture.Width >= 3 * 40 * 4);
        var outFolder = Environment.GetEnvironmentVariable("SEGAN_PICTURES");
        if (outFolder is not null)
        {
            PngWriter.Write(Path.Combine(outFolder, "overlay.png"), picture);
        }
    }

    [Fact]
    public void RenderSlice_RejectsMasksOfAnotherSize()
    {
        var (image, _) = Phantom();
        var wrong = new TumourMasks(new bool[5], new bool[5], new bool[5]);
        var e = Assert.Throws<ArgumentException>(() => TumourOverlay.RenderSlice(image, 1, wrong));
        Assert.Contains("WholeTumour", e.Message, StringComparison.Ordinal);
    }

    private static (Volume Image, TumourMasks Masks) Phantom()
    {
        const int nx = 40, ny = 30, nz = 3;
        var geometry = ImageGeometry.FromSpacing([nx, ny, nz], [1, 1, 1]);
        var affine = (double[,])geometry.Affine.Clone();
        affine[0, 0] = -1;
        affine[1, 1] = -1;
        var volume = new Volume(new float[nx * ny * nz], geometry with { Affine = affine });
        var wt = new bool[volume.Data.Length];
        var tc = new bool[volume.Data.Length];
        var et = new bool[volume.Data.Length];
        for (var z = 0; z < nz; z++)
        {
            for (var y = 0; y < ny; y++)
            {
                for (var x = 0; x < nx; x++)
                {
                    var i = volume.Index(x, y, z);
                    volume.Data[i] = 100 + x + y;
                    var r = Math.Max(Math.Abs(x - 20), Math.Abs(y - 15));
                    wt[i] = z == 1 && r <= 10;
                    tc[i] = z == 1 && r <= 4;
                    et[i] = z == 1 && r <= 2;
                }
            }
        }

        return (volume, new TumourMasks(wt, tc, et));
    }
}
