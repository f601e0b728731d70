using System.Collections.Concurrent;

namespace SegAN.Data;

/// <summary>Training batch sampling (the paper: random 160 x 160 crops of axial slices, flips for augmentation).</summary>
/// <param name="BatchSize">Slices per batch. Default 64.</param>
/// <param name="CropSize">Side of the random square crop. Default 160.</param>
/// <param name="Flip">Random left-right flips with probability 1/2 (the brain's one mirror symmetry; front-back flips made
/// training slower to learn, docs/quality.md). Default true.</param>
/// <param name="Seed">Seed of every random choice. Default 0.</param>
/// <param name="Prefetch">Batches prepared ahead, in all. Default 4.</param>
/// <param name="Workers">Background threads preparing batches (the batches do not depend on it). Default 2.</param>
/// <param name="Rank">Data-parallel training: this rank's part of each batch. Default 0.</param>
/// <param name="Ranks">
/// Data-parallel training: the number of ranks. Each batch of <see cref="BatchSize"/> (the global batch) is drawn
/// exactly as in one process and rank r receives its items r * BatchSize / Ranks to (r + 1) * BatchSize / Ranks - 1,
/// so N ranks together see the very batches one process would. Default 1.
/// </param>
public sealed record SliceSamplerOptions(int BatchSize = 64, int CropSize = SliceCrop.PaperSize, bool Flip = true, int Seed = 0, int Prefetch = 4, int Workers = 2, int Rank = 0, int Ranks = 1)
{
    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value; returns this.</summary>
    public SliceSamplerOptions Validate()
    {
        if (BatchSize < 1 || CropSize < 1 || Prefetch < 1 || Workers < 1)
        {
            throw new SegANException($"batch size {BatchSize}, crop size {CropSize}, prefetch {Prefetch} and workers {Workers} must be positive");
        }

        if (Ranks < 1 || Rank < 0 || Rank >= Ranks || BatchSize % Ranks != 0)
        {
            throw new SegANException($"rank {Rank} of {Ranks}: the rank must be between 0 and {Ranks - 1} and the batch size {BatchSize} divisible by the number of ranks");
        }

        return this;
    }
}

/// <summary>
/// An endless, seeded stream of training batches: each item is a random slice holding brain, from a random
/// training case, cropped at a random position and randomly flipped. Batch <c>k</c> depends only on the cases,
/// the options and <c>k</c> (its random numbers come from a generator seeded with (seed, k)), so resuming is
/// exact: save <see cref="Position"/> with the checkpoint and start a new sampler at that position. Batches are
/// built ahead by <see cref="SliceSamplerOptions.Workers"/> background threads (worker w builds batches
/// start + w, start + w + Workers, ...) into bounded queues holding <see cref="SliceSamplerOptions.Prefetch"/>
/// batches in all, and handed out in index order.
/// </summary>
public sealed class SliceSampler : ISliceBatchSource, IDisposable
{
    private readonly IReadOnlyList<PreparedCase> _cases;
    private readonly (int Case, int Z)[] _slices;
    private readonly SliceSamplerOptions _options;
    private readonly BlockingCollection<SliceBatch>[] _queues;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _producers;
    private readonly long _start;
    private volatile Exception? _failure;
    private long _position;

    /// <summary>Starts sampling at batch <paramref name="position"/> (0 for a new run, a checkpoint's position to resume).</summary>
    public SliceSampler(IReadOnlyList<PreparedCase> cases, SliceSamplerOptions options, long position = 0)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        _options = options.Validate();
        _cases = [.. cases];
        _slices = TrainingSlices(_cases, options.CropSize);
        _position = position;
        _start = position;
        var workers = options.Workers;
        var capacity = Math.Max(1, (options.Prefetch + workers - 1) / workers);
        _queues = [.. Enumerable.Range(0, workers).Select(_ => new BlockingCollection<SliceBatch>(capacity))];
        _producers = [.. Enumerable.Range(0, workers).Select(w => Task.Factory.StartNew(
            () => Produce(w), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
    }

    /// <summary>Number of batches handed out by <see cref="Next"/> (plus the starting position): the resume point.</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>The (case index, z) of every slice training draws from: those holding brain.</summary>
    public IReadOnlyList<(int Case, int Z)> Slices => _slices;

    /// <inheritdoc/>
    public SliceBatch Next()
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        try
        {
            var position = Interlocked.Read(ref _position);
            var batch = _queues[(int)((position - _start) % _queues.Length)].Take();
            Interlocked.Increment(ref _position);
            return batch;
        }
        catch (InvalidOperationException) when (_failure is not null)
        {
            throw new InvalidOperationException("preparing training batches failed", _failure);
        }
    }

    /// <summary>
    /// Batch number <paramref name="index"/> of the stream for these cases and options, built on the calling thread
    /// (what <see cref="Next"/> returns as its (index - start + 1)-th result).
    /// </summary>
    public static SliceBatch Build(IReadOnlyList<PreparedCase> cases, SliceSamplerOptions options, long index)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(options);
        return Build(cases, TrainingSlices(cases, options.Validate().CropSize), options, index);
    }

    /// <summary>Stops the background preparation of batches.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            Task.WaitAll(_producers);
        }
        catch (AggregateException)
        {
            // The producers stop by cancellation; nothing else to report on disposal.
        }

        foreach (var queue in _queues)
        {
            queue.Dispose();
        }

        _stop.Dispose();
    }

    private static SliceBatch Build(IReadOnlyList<PreparedCase> cases, (int Case, int Z)[] slices, SliceSamplerOptions options, long index)
    {
        var firstCase = cases[0];
        int channels = firstCase.Channels, size = options.CropSize, plane = size * size;
        var count = options.BatchSize / options.Ranks;
        var first = options.Rank * count;
        var images = new float[count * channels * plane];
        var targets = new float[count * SliceBatch.RegionCount * plane];
        var rng = new SplitMix64(SplitMix64.Mix(options.Seed, index));
        for (var i = 0; i < first + count; i++)
        {
            // Every rank draws the whole global batch's random numbers and copies only its own items.
            var (c, z) = slices[rng.NextInt(slices.Length)];
            var prepared = cases[c];
            var oy = rng.NextInt(prepared.Height - size + 1);
            var ox = rng.NextInt(prepared.Width - size + 1);
            var flipX = options.Flip && rng.NextBool();
            if (i >= first)
            {
                SliceCrop.CopyCrop(prepared.Image, prepared, z, channels, oy, ox, size, flipX, images, i - first);
                SliceCrop.CopyCrop(prepared.Regions!, prepared, z, SliceBatch.RegionCount, oy, ox, size, flipX, targets, i - first);
            }
        }

        return new SliceBatch(images, targets, count, channels, size, size);
    }

    private static (int Case, int Z)[] TrainingSlices(IReadOnlyList<PreparedCase> cases, int cropSize)
    {
        if (cases.Count == 0)
        {
            throw new SegANException("no training cases");
        }

        var slices = new List<(int, int)>();
        for (var c = 0; c < cases.Count; c++)
        {
            var prepared = cases[c];
            if (prepared.Regions is null)
            {
                throw new SegANException($"case {prepared.Name} has no segmentation; training needs one for every case");
            }

            if (prepared.Channels != cases[0].Channels)
            {
                throw new SegANException($"case {prepared.Name} has {prepared.Channels} channels but {cases[0].Name} has {cases[0].Channels}");
            }

            var plane = prepared.Height * prepared.Width;
            if (prepared.Image.Length != prepared.Depth * prepared.Channels * plane || prepared.Regions.Length != prepared.Depth * SliceBatch.RegionCount * plane
                || prepared.SliceHasBrain.Length != prepared.Depth)
            {
                throw new ArgumentException($"case {prepared.Name}: image, regions or slice flags do not match {prepared.Depth}x{prepared.Channels}x{prepared.Height}x{prepared.Width}", nameof(cases));
            }

            if (cropSize > prepared.Height || cropSize > prepared.Width)
            {
                throw new SegANException($"crop size {cropSize} does not fit case {prepared.Name}'s slices of {prepared.Height}x{prepared.Width}");
            }

            for (var z = 0; z < prepared.Depth; z++)
            {
                if (prepared.SliceHasBrain[z])
                {
                    slices.Add((c, z));
                }
            }
        }

        return slices.Count > 0 ? [.. slices] : throw new SegANException("no training slice holds brain voxels");
    }

    private void Produce(int worker)
    {
        var queue = _queues[worker];
        try
        {
            for (var index = _start + worker; !_stop.IsCancellationRequested; index += _queues.Length)
            {
                queue.Add(Build(_cases, _slices, _options, index), _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposal.
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            queue.CompleteAdding();
        }
    }
}
