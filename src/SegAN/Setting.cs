namespace SegAN;

/// <summary>
/// A setting of the library's options that an error can be about (<see cref="SegANException.Settings"/>): the
/// library's messages name the concept (<see cref="SettingNames.Name"/>, "batch size 0 must be at least 1"), and a
/// front end maps each setting to what its user typed (the command line: <c>--batch</c>).
/// </summary>
public enum Setting
{
    /// <summary>Slices (or cases) per batch.</summary>
    BatchSize,

    /// <summary>Training steps.</summary>
    Steps,

    /// <summary>Passes over the training slices.</summary>
    Epochs,

    /// <summary>The learning rate.</summary>
    LearningRate,

    /// <summary>The optimiser.</summary>
    Optimizer,

    /// <summary>The learning-rate schedule.</summary>
    LearningRateSchedule,

    /// <summary>The critic's weight clip.</summary>
    Clip,

    /// <summary>The weight of the Dice term.</summary>
    DiceWeight,

    /// <summary>How the Dice term treats the regions.</summary>
    DiceMode,

    /// <summary>Validation every N steps.</summary>
    ValidationInterval,

    /// <summary>A metrics line every N steps.</summary>
    LogInterval,

    /// <summary>The seed of the split, weights and batches.</summary>
    Seed,

    /// <summary>The model variant.</summary>
    Variant,

    /// <summary>The segmentor's down-sampling blocks.</summary>
    Depth,

    /// <summary>Feature maps of the first block.</summary>
    Width,

    /// <summary>The critic's down-sampling blocks.</summary>
    CriticDepth,

    /// <summary>The dataset folder.</summary>
    Data,

    /// <summary>The side of the training slice crops.</summary>
    SliceSize,

    /// <summary>The prepared grid (crop) of each case.</summary>
    Crop,

    /// <summary>The brain percentiles each modality is clipped at.</summary>
    Percentiles,

    /// <summary>The share of cases held out for validation.</summary>
    ValidationFraction,

    /// <summary>The modalities and their file patterns.</summary>
    Modalities,

    /// <summary>The file pattern of the segmentation.</summary>
    SegmentationPattern,

    /// <summary>The label convention.</summary>
    Labels,

    /// <summary>The output folder (a run, an experiment, predictions).</summary>
    Output,

    /// <summary>Continuing a run from its checkpoint.</summary>
    Resume,

    /// <summary>The compute device.</summary>
    Device,

    /// <summary>CPU threads.</summary>
    Threads,

    /// <summary>The inference engine.</summary>
    Engine,

    /// <summary>The probability threshold of a region.</summary>
    Threshold,

    /// <summary>The window of the slices segmented.</summary>
    Window,

    /// <summary>Cases evaluated in parallel.</summary>
    Parallelism,

    /// <summary>The number of shards (processes) the work is split into.</summary>
    Shards,

    /// <summary>This process's shard.</summary>
    Shard,

    /// <summary>Data-parallel training over MPI.</summary>
    Distributed,

    /// <summary>The number of array tasks of an experiment.</summary>
    Tasks,

    /// <summary>This process's array task.</summary>
    Task,

    /// <summary>The variants an experiment compares.</summary>
    Variants,

    /// <summary>Seeds per variant in an experiment.</summary>
    Seeds,

    /// <summary>The share of cases an experiment holds out for testing.</summary>
    TestFraction,

    /// <summary>The side of a phantom (demo, synthetic data).</summary>
    PhantomSize,

    /// <summary>How hard the synthetic phantoms are.</summary>
    Difficulty,

    /// <summary>The ONNX opset of an export.</summary>
    Opset,

    /// <summary>The ONNX file an export writes.</summary>
    OnnxFile,

    /// <summary>The Triton model repository an export writes.</summary>
    TritonRepository,

    /// <summary>The largest batch Triton may form.</summary>
    MaxBatchSize,

    /// <summary>The three-digit id of an nnU-Net dataset.</summary>
    DatasetId,

    /// <summary>The name of an nnU-Net dataset.</summary>
    DatasetName,

    /// <summary>The most voxels one image or buffer may hold.</summary>
    MaxVoxels,
}

/// <summary>The names that messages, and the settings a checkpoint saves, use for each <see cref="Setting"/>.</summary>
public static class SettingNames
{
    /// <summary>The concept's name in a message: "batch size", "learning rate".</summary>
    public static string Name(this Setting setting) => setting switch
    {
        Setting.BatchSize => "batch size",
        Setting.Steps => "steps",
        Setting.Epochs => "epochs",
        Setting.LearningRate => "learning rate",
        Setting.Optimizer => "optimizer",
        Setting.LearningRateSchedule => "learning-rate schedule",
        Setting.Clip => "critic clip",
        Setting.DiceWeight => "Dice weight",
        Setting.DiceMode => "Dice mode",
        Setting.ValidationInterval => "validation interval",
        Setting.LogInterval => "log interval",
        Setting.Seed => "seed",
        Setting.Variant => "variant",
        Setting.Depth => "depth",
        Setting.Width => "width",
        Setting.CriticDepth => "critic depth",
        Setting.Data => "dataset folder",
        Setting.SliceSize => "slice size",
        Setting.Crop => "crop",
        Setting.Percentiles => "clip percentiles",
        Setting.ValidationFraction => "validation fraction",
        Setting.Modalities => "modalities",
        Setting.SegmentationPattern => "segmentation pattern",
        Setting.Labels => "label convention",
        Setting.Output => "output folder",
        Setting.Resume => "resume",
        Setting.Device => "device",
        Setting.Threads => "thread count",
        Setting.Engine => "engine",
        Setting.Threshold => "threshold",
        Setting.Window => "window",
        Setting.Parallelism => "parallel cases",
        Setting.Shards => "number of shards",
        Setting.Shard => "shard",
        Setting.Distributed => "distributed training",
        Setting.Tasks => "number of tasks",
        Setting.Task => "task",
        Setting.Variants => "variants",
        Setting.Seeds => "seeds",
        Setting.TestFraction => "test fraction",
        Setting.PhantomSize => "phantom size",
        Setting.Difficulty => "difficulty",
        Setting.Opset => "opset",
        Setting.OnnxFile => "ONNX file",
        Setting.TritonRepository => "Triton repository",
        Setting.MaxBatchSize => "Triton max batch size",
        Setting.DatasetId => "dataset id",
        Setting.DatasetName => "dataset name",
        Setting.MaxVoxels => "voxel limit",
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, null),
    };

    /// <summary>The setting whose <see cref="Name"/> is <paramref name="name"/>, or null.</summary>
    public static Setting? FromName(string name) =>
        Enum.GetValues<Setting>().Select(s => (Setting?)s).FirstOrDefault(s => string.Equals(s!.Value.Name(), name, StringComparison.Ordinal));
}
