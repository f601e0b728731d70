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

    /// <summary>Reads every image of a case and checks their shapes and geometry (see <see cref="CaseVolumes"/>).</summary>
    public static CaseVolumes Load(CaseFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var modalities = files.ModalityFiles.Select(ImageFile.Read).ToList();
        var seg = files.SegFile is null ? null : ImageFile.Read(files.SegFile);
        return new CaseVolumes(files, modalities, seg);
    }

    /// <summary>Reads and prepares one case; its segmentation, if any, must follow <paramref name="labels"/>.</summary>
    public static PreparedCase Prepare(CaseFiles files, LabelConvention labels, PreprocessOptions options) =>
        Preprocessor.Prepare(Load(files), options, labels);

    /// <summary>
    /// Reads and prepares cases, up to <paramref name="parallelism"/> at a time (each is read, prepared and its
    /// source volumes dropped before the next), in the given order. <paramref name="progress"/> hears each finished
    /// case's name.
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
        try
        {
            Parallel.For(
                0,
                cases.Count,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
                i =>
                {
                    prepared[i] = Prepare(cases[i], labels, options);
                    progress?.Report(cases[i].Name);
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
