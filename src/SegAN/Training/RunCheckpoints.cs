using SegAN.Models;
using SegAN.Persistence;

namespace SegAN.Training;

/// <summary>
/// Saves <c>last.ckpt</c> (to continue the run) and <c>model.segan</c> (the model to use); only rank 0 writes. A run
/// without a validation set keeps its last model.
/// </summary>
internal sealed class RunCheckpoints(
    RunFolder folder, AdversarialTrainer trainer, SegANArchitecture architecture, TrainOptions options, TrainingInputs inputs, bool write)
{
    public void SaveCheckpoint(TrainingState state)
    {
        if (!write)
        {
            return;
        }

        Checkpoint.Save(folder.CheckpointPath, trainer, new CheckpointState(state.Step, state.Seconds, state.BestDice, state.BestStep, architecture, options, string.Empty, inputs.Settings));
        state.LastGoodStep = state.Step;
    }

    public void SaveModel(TrainingState state, double? dice)
    {
        if (write)
        {
            ModelFile.Save(folder.ModelPath, trainer.Segmentor, new ModelMetadata(inputs.Modalities, inputs.LabelConvention, inputs.Preprocessing, state.Step, dice));
        }
    }

    /// <summary>On cancellation: the checkpoint, and the last model when nothing validates; returns the log line.</summary>
    public string SaveOnCancel(TrainingState state, long totalSteps)
    {
        SaveCheckpoint(state);
        if (inputs.Validation is null)
        {
            SaveModel(state, null);
        }

        return Inv($"cancelled at step {state.Step} of {totalSteps}; checkpoint saved to {folder.CheckpointPath}; resume the run to continue it.");
    }

    private static string Inv(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
