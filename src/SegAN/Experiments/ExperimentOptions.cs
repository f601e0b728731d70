using System.Globalization;
using SegAN.Data;
using SegAN.Models;
using SegAN.Training;

namespace SegAN.Experiments;

/// <summary>
/// Options of <c>segan experiment</c>: the paper's comparison (Fig. 2, Table 1) on one dataset. Every variant is
/// trained with the same budget on the same cases with the same seeds; a seeded test set is held out of every
/// training run and scored at the end. Training knobs default to <c>segan train</c>'s (the paper's).
/// </summary>
/// <param name="Data">The dataset folder.</param>
/// <param name="Out">The experiment folder: split, one run folder per (variant, seed), the report.</param>
/// <param name="Layout">Modalities, segmentation pattern and label convention of the dataset.</param>
/// <param name="Variants">Variants to compare, in report order. Default: <see cref="DefaultVariants"/>.</param>
/// <param name="Seeds">Runs per variant, with seeds 0..Seeds-1 (each seed fixes the train/validation split, the weights and the batches). Default: 3.</param>
/// <param name="Steps">Training steps of every run (the shared budget). Default: 10000.</param>
/// <param name="BatchSize">Slices per batch. Default: 64 (the paper's).</param>
/// <param name="LearningRate">Learning rate. Default: 2e-5 (the paper's).</param>
/// <param name="Optimizer">Optimiser. Default: RMSProp (the paper's).</param>
/// <param name="Depth">Segmentor down-sampling blocks. Default: 4 (the paper's).</param>
/// <param name="BaseWidth">Feature maps of the first block. Default: 64 (the paper's).</param>
/// <param name="SliceSize">Side of the square slice crops. Default: 160 (the paper's).</param>
/// <param name="Preprocess">Clipping, normalisation and the prepared grid. Default: z-scores without clipping, a 192x192x155 grid.</param>
/// <param name="TestFraction">Share of the cases held out as the test set (stratified by group). Default: 0.2.</param>
/// <param name="ValidationFraction">Share of the remaining cases each run holds out for validation. Default: 0.1.</param>
/// <param name="SplitSeed">Seed of the test split, the same for every run. Default: 0.</param>
/// <param name="ValEvery">Validate every N steps (the best model by validation Dice is tested). Default: 500.</param>
/// <param name="DiceWeight">Weight of the soft Dice term added to every variant's loss, the U-Net baseline's cross-entropy included (0: the paper's pure losses, multi-scale L1 and cross-entropy). Default: 1, as <c>segan train</c>.</param>
/// <param name="CommandLine">The command line that started the experiment, recorded in the report. Default: none.</param>
/// <param name="LesionWise">Also score the test sets with the BraTS 2023-2024 lesion-wise metrics of this challenge. Default: none.</param>
public sealed record ExperimentOptions(
    DirectoryInfo Data,
    string Out,
    DatasetLayout Layout,
    IReadOnlyList<Variant>? Variants = null,
    int Seeds = 3,
    long Steps = TrainOptions.DefaultSteps,
    int BatchSize = 64,
    double LearningRate = 2e-5,
    OptimizerKind Optimizer = OptimizerKind.RmsProp,
    int Depth = 4,
    int BaseWidth = 64,
    int SliceSize = SliceCrop.PaperSize,
    PreprocessOptions? Preprocess = null,
    double TestFraction = ExperimentOptions.DefaultTestFraction,
    double ValidationFraction = DatasetSplit.PaperValidationFraction,
    int SplitSeed = 0,
    int ValEvery = 500,
    double DiceWeight = TrainOptions.DefaultDiceWeight,
    string? CommandLine = null,
    Evaluation.BratsChallenge? LesionWise = null)
{
    /// <summary>The default share of cases held out for testing.</summary>
    public const double DefaultTestFraction = 0.2;

    /// <summary>The paper's comparison: the U-Net baseline, then the five SegAN variants of Fig. 2.</summary>
    public static IReadOnlyList<Variant> DefaultVariants { get; } =
        [Variant.UNet, Variant.S1_1C, Variant.S3_1C, Variant.S3_3C, Variant.S3_3C_S0, Variant.S3_3C_S3];

    /// <summary>The variants in force.</summary>
    public IReadOnlyList<Variant> VariantsOrDefault => Variants ?? DefaultVariants;

    /// <summary>The preprocessing in force.</summary>
    public PreprocessOptions PreprocessOrDefault => Preprocess ?? PreprocessOptions.Default;

    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value; returns this.</summary>
    public ExperimentOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Data);
        ArgumentNullException.ThrowIfNull(Layout);
        if (!Data.Exists)
        {
            throw new SegANException($"{Data.FullName}: dataset folder not found");
        }

        if (VariantsOrDefault.Count == 0)
        {
            throw new SegANException(Setting.Variants, "variants must name at least one variant");
        }

        if (VariantsOrDefault.Distinct().Count() != VariantsOrDefault.Count)
        {
            throw new SegANException(Setting.Variants, $"variants {string.Join(",", VariantsOrDefault.Select(v => v.CliName()))} names a variant twice");
        }

        if (Seeds < 1)
        {
            throw new SegANException(Setting.Seeds, string.Create(CultureInfo.InvariantCulture, $"seeds {Seeds} must be at least 1"));
        }

        if (!(TestFraction > 0 && TestFraction < 1))
        {
            throw new SegANException(Setting.TestFraction, string.Create(CultureInfo.InvariantCulture, $"test fraction {TestFraction} must be in (0, 1)"));
        }

        var runs = VariantsOrDefault.Select(variant => TrainOptionsFor(variant, 0, Out, resume: false).Validated()).ToList();
        TrainingData().Validate();
        foreach (var train in runs)
        {
            // The size rule is the architecture's: 2^max(segmentor depth, critic depth).
            new SegANArchitecture(train.Variant, Layout.ModalityNames.Count, train.Depth, train.BaseWidth, train.CriticDepth).ValidateInputSize(SliceSize, SliceSize);
        }

        return this;
    }

    /// <summary>The training options of one run: the shared budget with this variant and seed.</summary>
    public TrainOptions TrainOptionsFor(Variant variant, int seed, string runFolder, bool resume) => new(
        runFolder,
        variant,
        Steps: Steps,
        BatchSize: BatchSize,
        LearningRate: LearningRate,
        Optimizer: Optimizer,
        DiceWeight: DiceWeight,
        ValEvery: ValEvery,
        LogEvery: (int)Math.Clamp(Steps / 20, 1, 100),
        Seed: seed,
        Resume: resume,
        Depth: Depth,
        BaseWidth: BaseWidth);

    /// <summary>The dataset options every run shares.</summary>
    public DatasetTrainingOptions TrainingData() => new(Data, Layout, PreprocessOrDefault, SliceSize, ValidationFraction);

    /// <summary>
    /// The settings a resumed experiment must share with the one it continues (everything that changes what a run
    /// trains on or how), as a stable text.
    /// </summary>
    public string Fingerprint()
    {
        var p = PreprocessOrDefault;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"modalities={string.Join(",", Layout.Modalities.Select(m => m.Name + "=" + m.Pattern))};seg={Layout.SegPattern};labels={Layout.Labels};" +
            $"steps={Steps};batch={BatchSize};lr={LearningRate:R};optimizer={Optimizer};depth={Depth};width={BaseWidth};slice={SliceSize};" +
            $"crop={p.CropX}x{p.CropY}x{p.CropZ};percentiles={p.LowerPercentile:R}-{p.UpperPercentile:R};test={TestFraction:R};val={ValidationFraction:R};" +
            $"split_seed={SplitSeed};val_every={ValEvery};dice_weight={DiceWeight:R}");
    }
}
