namespace SegAN.Data;

/// <summary>
/// A batch of 2D axial slices ready for the networks: <see cref="Images"/> is (N, C, H, W) with one channel
/// per modality in dataset order, <see cref="Targets"/> is (N, 3, H, W) with the nested regions WT, TC, ET as
/// 0/1, both row-major float32.
/// </summary>
public sealed record SliceBatch(float[] Images, float[] Targets, int Count, int Channels, int Height, int Width)
{
    /// <summary>Number of region maps per slice (whole tumour, tumour core, enhancing tumour).</summary>
    public const int RegionCount = 3;
}

/// <summary>An endless, seeded stream of training batches (random crops and flips), prepared ahead of use.</summary>
public interface ISliceBatchSource
{
    /// <summary>The next batch; blocks only when preparation has fallen behind.</summary>
    SliceBatch Next();
}
