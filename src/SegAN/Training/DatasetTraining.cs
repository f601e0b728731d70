using System.Globalization;
using SegAN.Data;
using SegAN.Inference;
using static TorchSharp.torch;

namespace SegAN.Training;

/// <summary>
/// What <c>segan train</c> needs besides the run options: where the data is, how its files are named, how it is
/// preprocessed and the side of the square slice crops the networks see (random crops in training, centred
/// windows in validation and prediction).
/// </summary>
/// <param name="Data">The dataset folder.</param>
/// <param name="Layout">Modalities (channel order), segmentation pattern and label convention.</param>
/// <param name="Preprocess">Clipping, normalisation and the prepared grid. Default: <see cref="PreprocessOptions.Default"/>.</param>
/// <param name="SliceSize">Side of the slice crops; a multiple of 2^depth. Default: the paper's 160.</param>
/// <param name="ValidationFraction">
/// Share of the cases held out for validation. Default (null): the paper's 0.1 from
/// <see cref="DatasetSplit.SmallDatasetCases"/> cases on; below that no case is held out (each is too large a share of
/// the data) and validation scores the training cases themselves (optimistic, but it still tracks training and
/// selects the model).
/// </param>
public sealed record DatasetTrainingOptions(
    DirectoryInfo Data,
    DatasetLayout Layout,
    PreprocessOptions? Preprocess = null,
    int SliceSize = SliceCrop.PaperSize,
    double? ValidationFraction = null)
{
    /// <summary>
    /// The share held out of <paramref name="cases"/> cases, and whether validation scores the training cases
    /// instead (the small-dataset default).
    /// </summary>
    public (double Fraction, bool OnTrainingCases) ValidationPolicy(int cases) => ValidationFraction switch
    {
        { } fraction => (fraction, false),
        null when cases < DatasetSplit.SmallDatasetCases => (0, true),
        _ => (DatasetSplit.PaperValidationFraction, false),
    };

    /// <summary>The preprocessing in force.</summary>
    public PreprocessOptions PreprocessOrDefault => Preprocess ?? PreprocessOptions.Default;

    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public DatasetTrainingOptions Validate()
    {
        PreprocessOrDefault.Validate();
        if (SliceSize < 1 || SliceSize > Math.Min(PreprocessOrDefault.CropX, PreprocessOrDefault.CropY))
        {
            throw new SegANException(Setting.SliceSize, $"slice size {SliceSize} must be between 1 and the prepared grid's {Math.Min(PreprocessOrDefault.CropX, PreprocessOrDefault.CropY)}");
        }

        if (ValidationFraction is { } fraction && !(fraction >= 0 && fraction < 1))
        {
            throw new SegANException(Setting.ValidationFraction, $"validation fraction {ValidationFraction} must be in [0, 1)");
        }

        return this;
    }
}

/// <summary>
/// Trains on a dataset folder: discovers and splits the cases (seeded, stratified), prepares them once in memory,
/// streams seeded random slice crops to <see cref="Trainer"/> and validates on whole, restacked validation
/// volumes. The model file records the <see cref="InferenceRecipe"/> so that prediction repeats the preprocessing.
/// </summary>
public static class DatasetTraining
{
    /// <summary>
    /// Runs (or resumes) training; <paramref name="loading"/> hears a line per prepared case ("prepared NAME") and the
    /// validation policy when it is not the plain hold-out. With a
    /// <paramref name="communicator"/>, this process is one rank of a data-parallel run (see <see cref="Trainer.Run"/>):
    /// every rank prepares the same split and samples its part of each global batch; only rank 0 keeps the
    /// validation volumes.
    /// </summary>
    public static TrainResult Run(
        TrainOptions options,
        DatasetTrainingOptions data,
        Device? device = null,
        IProgress<TrainProgress>? progress = null,
        IProgress<string>? loading = null,
        Distributed.ICommunicator? communicator = null,
        CancellationToken cancellationToken = default)
    {
        Validate(options, data);
        return Run(options, data, DatasetDiscovery.Discover(data.Data, data.Layout), device, progress, loading, communicator, cancellationToken);
    }

    /// <summary>
    /// Runs (or resumes) training on <paramref name="cases"/> only, a view of the dataset in
    /// <see cref="DatasetTrainingOptions.Data"/> (e.g. without a held-out test set); they are split into training and
    /// validation as usual.
    /// </summary>
    public static TrainResult Run(
        TrainOptions options,
        DatasetTrainingOptions data,
        IReadOnlyList<CaseFiles> cases,
        Device? device = null,
        IProgress<TrainProgress>? progress = null,
        IProgress<string>? loading = null,
        Distributed.ICommunicator? communicator = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cases);
        Validate(options, data);
        if (cases.Count == 0)
        {
            throw new SegANException($"{data.Data.FullName}: no case to train on");
        }

        var (fraction, onTrainingCases) = data.ValidationPolicy(cases.Count);
        if (onTrainingCases)
        {
            loading?.Report(string.Create(
                CultureInfo.InvariantCulture,
                $"validation: {cases.Count} case(s), fewer than {DatasetSplit.SmallDatasetCases}: all are trained on and validation scores the training cases (optimistic); a validation fraction of 0.25 would hold some out"));
        }

        var prepared = loading is null ? null : new InlineProgress<string>(name => loading.Report($"prepared {name}"));
        var split = CaseLoader.PrepareSplit(cases, data.Layout, options.Seed, data.PreprocessOrDefault, fraction, prepared, cancellationToken);
        if (split.Train.Count == 0)
        {
            throw new SegANException($"{data.Data.FullName}: no training case left after the validation split");
        }

        var recipe = new InferenceRecipe(data.PreprocessOrDefault, data.SliceSize, data.Layout.Labels);
        var validationCases = onTrainingCases ? split.Train : split.Validation;
        var validation = validationCases.Count == 0 || communicator is { Rank: > 0 }
            ? null
            : new InMemoryValidationSet(validationCases);
        var slicesPerEpoch = split.Train.Sum(c => (long)c.SliceHasBrain.Count(b => b));
        var samplerOptions = new SliceSamplerOptions(options.BatchSize, data.SliceSize, Flip: true, Seed: options.Seed, Rank: communicator?.Rank ?? 0, Ranks: communicator?.Size ?? 1);
        if (options.BatchSize % samplerOptions.Ranks != 0)
        {
            throw new SegANException(Setting.BatchSize, $"batch size {options.BatchSize} is the global batch and must be divisible by the {samplerOptions.Ranks} ranks.");
        }

        samplerOptions.Validate();
        var inputs = new TrainingInputs(
            position => new SliceSampler(split.Train, samplerOptions, position),
            slicesPerEpoch,
            validation,
            data.Layout.ModalityNames,
            data.Layout.Labels.Name(),
            recipe.ToPreprocessingJson(),
            Settings(data));
        return Trainer.Run(options with { Data = data.Data.FullName }, inputs, device, progress, communicator, cancellationToken);
    }

    /// <summary>
    /// The data side of a run that a resume must not change, keyed by the settings' names ("slice size" = 160;
    /// checkpoints before these names keyed them by command-line option, see <see cref="RunResume.LegacyKeys"/>).
    /// </summary>
    internal static Dictionary<string, string> Settings(DatasetTrainingOptions data)
    {
        var p = data.PreprocessOrDefault;
        return new(StringComparer.Ordinal)
        {
            [Setting.SliceSize.Name()] = data.SliceSize.ToString(CultureInfo.InvariantCulture),
            [Setting.Crop.Name()] = string.Create(CultureInfo.InvariantCulture, $"{p.CropX}x{p.CropY}x{p.CropZ}"),
            [Setting.ValidationFraction.Name()] = data.ValidationFraction?.ToString(CultureInfo.InvariantCulture) ?? "default",
            [Setting.Percentiles.Name()] = string.Create(CultureInfo.InvariantCulture, $"{p.LowerPercentile},{p.UpperPercentile}"),
            [Setting.Modalities.Name()] = string.Join(",", data.Layout.Modalities.Select(m => $"{m.Name}={m.Pattern}")),
            [Setting.SegmentationPattern.Name()] = data.Layout.SegPattern ?? string.Empty,
            [Setting.Labels.Name()] = data.Layout.Labels.Name(),
        };
    }

    private static void Validate(TrainOptions options, DatasetTrainingOptions data)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        options.Validated();
        data.Validate();
        Imaging.OutputPath.CheckFolder(options.Out, "run folder", Setting.Output);
        var architecture = new Models.SegANArchitecture(options.Variant, data.Layout.Modalities.Count, options.Depth, options.BaseWidth, options.CriticDepth);
        architecture.ValidateInputSize(data.SliceSize, data.SliceSize);
        architecture.ValidateBatch(options.BatchSize, data.SliceSize, data.SliceSize);
    }
}
