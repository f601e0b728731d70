using System.Globalization;
using System.Text.Json.Serialization;

namespace SegAN.Models;

/// <summary>
/// Everything needed to rebuild the networks: the variant, the number of input modalities, the segmentor's depth
/// (number of 4x4 stride-2 down blocks; the paper found four best), its base width (maps of the first block,
/// doubled at each level: 64, 128, 256, 512) and the critic's depth (three in the paper).
/// </summary>
public sealed record SegANArchitecture(
    [property: JsonPropertyName("variant")] Variant Variant,
    [property: JsonPropertyName("in_channels")] int InChannels,
    [property: JsonPropertyName("depth")] int Depth = 4,
    [property: JsonPropertyName("base_width")] int BaseWidth = 64,
    [property: JsonPropertyName("critic_depth")] int CriticDepth = 3)
{
    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public SegANArchitecture Validated()
    {
        if (!Enum.IsDefined(Variant))
        {
            throw new SegANException($"Unknown variant {(int)Variant}.");
        }

        if (InChannels < 1)
        {
            throw new SegANException($"The number of input channels (modalities) is {InChannels}; it must be at least 1.");
        }

        if (Depth is < 1 or > 8)
        {
            throw new SegANException($"Segmentor depth {Depth} must be between 1 and 8.");
        }

        if (BaseWidth is < 1 or > 1024)
        {
            throw new SegANException($"Base width {BaseWidth} must be between 1 and 1024.");
        }

        if (CriticDepth is < 1 or > 8)
        {
            throw new SegANException($"Critic depth {CriticDepth} must be between 1 and 8.");
        }

        return this;
    }

    /// <summary>
    /// A lower bound on the bytes of the segmentors' float32 weights (convolution kernels only, no biases or batch
    /// norms), computed without building anything: a file whose header claims more than it holds is refused before
    /// the networks are allocated.
    /// </summary>
    public long MinimumWeightBytes()
    {
        long weights = 0;
        foreach (var conv in FlopCount.Segmentor(this, SizeMultiple, SizeMultiple))
        {
            weights = checked(weights + ((long)conv.InChannels * conv.OutChannels * conv.Kernel * conv.Kernel));
        }

        return checked(weights * 4 * Variant.SegmentorCount());
    }

    /// <summary>
    /// Throws a <see cref="SegANException"/> when a batch of <paramref name="batch"/> H x W slices would need an
    /// activation larger than <see cref="Imaging.ImageLimits.MaxVoxels"/> values (the widest one: 2 x base width maps
    /// at full resolution, before the last up block), so that a batch size of 100000 is refused before any allocation.
    /// </summary>
    public void ValidateBatch(long batch, long height, long width)
    {
        var maps = Math.Max(InChannels, 2L * BaseWidth);
        long values;
        try
        {
            values = checked(batch * maps * height * width);
        }
        catch (OverflowException)
        {
            values = long.MaxValue;
        }

        var max = Imaging.ImageLimits.MaxVoxels;
        if (values > max)
        {
            throw new SegANException([Setting.BatchSize, Setting.MaxVoxels], string.Create(
                CultureInfo.InvariantCulture,
                $"batch size {batch}: a batch of {batch} {height}x{width} slices needs activations of {values} values ({maps} maps), over the limit of {max} ({Imaging.ImageLimits.MaxVoxelsVariable} or a higher voxel limit raises it)"));
        }
    }

    /// <summary>Height and width must be divisible by this: 2^max(depth, critic depth).</summary>
    public int SizeMultiple => 1 << Math.Max(Depth, Variant.CriticCount() > 0 ? CriticDepth : 0);

    /// <summary>Feature maps of the segmentor's encoder level <paramref name="level"/> (0-based): base * 2^level.</summary>
    public int Width(int level) => BaseWidth << level;

    /// <summary>Throws a <see cref="SegANException"/> unless an H x W slice fits the networks.</summary>
    public void ValidateInputSize(long height, long width)
    {
        var m = SizeMultiple;
        if (height < m || width < m || height % m != 0 || width % m != 0)
        {
            throw new SegANException(string.Create(
                CultureInfo.InvariantCulture,
                $"Slice size {height}x{width} does not fit the networks: height and width must be positive multiples of {m} (2^{Math.Round(Math.Log2(m))}: the segmentor has {Depth} and the critic {CriticDepth} stride-2 blocks). Crop or pad the slices, or lower the depth."));
        }
    }

    /// <summary>One line for logs: "s3-3c, 4 modalities, depth 4, width 64, critic depth 3".</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Variant.CliName()}, {InChannels} modalities, depth {Depth}, width {BaseWidth}, critic depth {CriticDepth}");
}
