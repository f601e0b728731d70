using System.Collections.Concurrent;
using System.Diagnostics;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Inference;

namespace SegAN.Server;

/// <summary>One segmentation: the label map as <c>.nii.gz</c> bytes and how long it took.</summary>
internal sealed record InferenceResult(byte[] LabelMap, double Seconds);

/// <summary>
/// Runs segmentations: at most <c>concurrent</c> at once, at most <c>waiting</c> more queued (beyond that a 503 with
/// Retry-After); results cached by (model, image, its files' modification times and sizes), so a repeated request, or
/// one arriving while the same segmentation runs, shares one result.
/// </summary>
internal sealed class InferenceService : IDisposable
{
    private const int CacheEntries = 64;

    private readonly SemaphoreSlim _runs;
    private readonly int _admitted;
    private readonly string _workDirectory;
    private readonly ConcurrentDictionary<string, Lazy<Task<InferenceResult>>> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _cacheOrder = new();
    private int _pending;
    private double _lastSeconds = 1;

    public InferenceService(int concurrent, int waiting, string workDirectory)
    {
        _runs = new SemaphoreSlim(concurrent, concurrent);
        _admitted = concurrent + waiting;
        Concurrent = concurrent;
        _workDirectory = workDirectory;
    }

    public int Concurrent { get; }

    /// <summary>Segmentations running or waiting for a run.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Takes every run slot until the result is disposed, so that requests queue (tests of the queue use it).</summary>
    internal async Task<IDisposable> HoldRuns()
    {
        for (var i = 0; i < Concurrent; i++)
        {
            await _runs.WaitAsync().ConfigureAwait(false);
        }

        return new Release(_runs, Concurrent);
    }

    /// <summary>
    /// The label map of <paramref name="files"/> by <paramref name="model"/>, and whether it came from the cache: in BraTS
    /// 2023 labels, or with <paramref name="ownLabels"/> in the model's own convention.
    /// </summary>
    public async Task<(InferenceResult Result, bool Cached)> Segment(ServedSegmentor model, string id, CaseFiles files, bool ownLabels = false)
    {
        var key = Key(model, id, files, ownLabels);
        if (_cache.TryGetValue(key, out var existing))
        {
            var cached = existing.IsValueCreated && existing.Value.IsCompletedSuccessfully;
            return (await Await(key, existing), cached);
        }

        if (Interlocked.Increment(ref _pending) > _admitted)
        {
            Interlocked.Decrement(ref _pending);
            var wait = (int)Math.Clamp(Math.Ceiling(Volatile.Read(ref _lastSeconds) * _admitted / Concurrent), 1, 3600);
            throw new ServerException(503, $"busy: {_admitted} segmentations are running or waiting; retry in {wait} s", wait);
        }

        var mine = new Lazy<Task<InferenceResult>>(() => RunQueued(ownLabels ? model.OwnLabelsPredictor : model.Predictor, files));
        var entry = _cache.GetOrAdd(key, mine);
        if (!ReferenceEquals(entry, mine))
        {
            Interlocked.Decrement(ref _pending);
        }
        else
        {
            _cacheOrder.Enqueue(key);
            Evict();
        }

        return (await Await(key, entry), false);
    }

    public void Dispose() => _runs.Dispose();

    private async Task<InferenceResult> Await(string key, Lazy<Task<InferenceResult>> entry)
    {
        try
        {
            return await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            // A failed segmentation is not cached: the next request tries again.
            _cache.TryRemove(new KeyValuePair<string, Lazy<Task<InferenceResult>>>(key, entry));
            throw;
        }
    }

    private async Task<InferenceResult> RunQueued(CasePredictor predictor, CaseFiles files)
    {
        try
        {
            await _runs.WaitAsync().ConfigureAwait(false);
            try
            {
                return await Task.Run(() => Run(predictor, files)).ConfigureAwait(false);
            }
            finally
            {
                _runs.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private InferenceResult Run(CasePredictor predictor, CaseFiles files)
    {
        var watch = Stopwatch.StartNew();
        var segmentation = predictor.Segment(files);
        var path = Path.Combine(_workDirectory, $"{Guid.NewGuid():N}.nii.gz");
        try
        {
            NiftiFile.Write(path, segmentation.Labels, NiftiDataType.UInt8);
            var bytes = File.ReadAllBytes(path);
            Volatile.Write(ref _lastSeconds, watch.Elapsed.TotalSeconds);
            return new InferenceResult(bytes, watch.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private void Evict()
    {
        while (_cache.Count > CacheEntries && _cacheOrder.TryDequeue(out var oldest))
        {
            _cache.TryRemove(oldest, out _);
        }
    }

    private sealed class Release(SemaphoreSlim runs, int count) : IDisposable
    {
        public void Dispose() => runs.Release(count);
    }

    private static string Key(ServedSegmentor model, string id, CaseFiles files, bool ownLabels)
    {
        var parts = new List<string> { model.Model.Name, id, ownLabels ? "own" : "slicer" };
        foreach (var file in files.ModalityFiles)
        {
            var info = new FileInfo(file);
            parts.Add(FormattableString.Invariant($"{file}|{info.LastWriteTimeUtc.Ticks}|{info.Length}"));
        }

        return string.Join('\n', parts);
    }
}
