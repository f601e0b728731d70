using SegAN.Imaging;

namespace SegAN.Data;

/// <summary>A dataset's seeded train/validation split with every case prepared (held in memory once).</summary>
public sealed record PreparedSplit(DatasetSplit Split, IReadOnlyList<PreparedCase> Train, IReadOnlyList<PreparedCase> Validation);

/// <summary>Reads cases from disk (NIfTI or MetaImage through <see cref="ImageFile"/>) and prepares them.</summary>
public static class CaseLoader
{
    /// <summary>
    /// Everything training needs from a dataset folder: discovers the labelled cases, splits them 9:1 by
    /// <paramref name="seed"/> (stratified by group) and prepares both sides.
    /// </summary>
    public static PreparedSplit PrepareSplit(
        DirectoryInfo root,
        DatasetLayout layout,
        int seed,
        PreprocessOptions options,
        double validationFraction = DatasetSplit.PaperValidationFraction,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return PrepareSplit(DatasetDiscovery.Discover(root, layout), layout, seed, options, validationFraction, progress, cancellationToken);
    }

    /// <summary>
    /// As <see cref="PrepareSplit(DirectoryInfo, DatasetLayout, int, PreprocessOptions, double, IProgress{string}?, CancellationToken)"/>
    /// on an explicit list of cases (a view of a dataset, e.g. without a held-out test set).
    /// </summary>
    public static PreparedSplit PrepareSplit(
        IReadOnlyList<CaseFiles> cases,
        DatasetLayout layout,
        int seed,
        PreprocessOptions options,
        double validationFraction = DatasetSplit.PaperValidationFraction,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(layout);
        var split = DatasetSplit.Create(cases, seed, validationFraction);
        return new PreparedSplit(
            split,
            PrepareAll(split.Train, layout.Labels, options, progress, cancellationToken: cancellationToken),
            PrepareAll(split.Validation, layout.Labels, options, progress, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Reads every image of a case and checks their shapes and geometry (see <see cref="CaseVolumes"/>). NaN and
    /// infinite image voxels count as background (<see cref="NonFiniteVoxels"/>), with a warning per file in
    /// <see cref="CaseVolumes.Warnings"/>.
    /// </summary>
    public static CaseVolumes Load(CaseFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var warnings = new List<string>();
        var modalities = new List<Volume>();
        foreach (var file in files.ModalityFiles)
        {
            var volume = NonFiniteVoxels.Replace(ImageFile.Read(file), out var count);
            if (count > 0)
            {
                warnings.Add(NonFiniteVoxels.Warning(file, count, volume.Data.LongLength));
            }

            modalities.Add(volume);
        }

        var seg = files.SegFile is null ? null : ImageFile.Read(files.SegFile);
        return new CaseVolumes(files, modalities, seg) { Warnings = warnings };
    }

    /// <summary>Reads and prepares one case; its segmentation, if any, must follow <paramref name="labels"/>.</summary>
    public static PreparedCase Prepare(CaseFiles files, LabelConvention labels, PreprocessOptions options)
    {
        var volumes = Load(files);
        return Preprocessor.Prepare(volumes, options, labels) with { Warnings = volumes.Warnings };
    }

    /// <summary>
    /// Reads and prepares cases, up to <paramref name="parallelism"/> at a time (each is read, prepared and its
    /// source volumes dropped before the next), in the given order. <paramref name="progress"/> hears each finished
    /// case's name, one report at a time, followed by its warnings in parentheses when it has some.
    /// </summary>
    public static IReadOnlyList<PreparedCase> PrepareAll(
        IReadOnlyList<CaseFiles> cases,
        LabelConvention labels,
        PreprocessOptions options,
        IProgress<string>? progress = null,
        int parallelism = 2,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var prepared = new PreparedCase[cases.Count];
        // Reports come from worker threads; one at a time, since consoles and writers are not thread-safe.
        var reporting = new Lock();
        try
        {
            Parallel.For(
                0,
                cases.Count,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
                i =>
                {
                    prepared[i] = Prepare(cases[i], labels, options);
                    using var _ = reporting.EnterScope();
                    progress?.Report(prepared[i].Warnings.Count == 0 ? cases[i].Name : $"{cases[i].Name} (warning: {string.Join("; ", prepared[i].Warnings)})");
                });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault() is SegANException first)
        {
            // A user-fixable error in one case is reported as itself, not wrapped.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }

        return prepared;
    }
}
