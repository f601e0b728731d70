using System.Globalization;
using SegAN.Models;
using static TorchSharp.torch;

namespace SegAN.Training;

/// <summary>
/// What happens at a validation point (nnU-Net's <c>on_epoch_end</c>): rank 0 validates the segmentor, keeps it as
/// <c>model.segan</c> when its mean Dice is the best so far (or keeps the last one when there is no validation set),
/// then saves the checkpoint, and logs what it did (the line it returns).
/// </summary>
internal sealed class ModelSelection(
    RegionSegmentor segmentor, IValidationSet? validation, RunCheckpoints checkpoints, RunLog log, int batchSize, Device? device, bool root)
{
    public string OnValidationPoint(TrainingState state)
    {
        string message;
        if (!root)
        {
            message = Inv($"step {state.Step}: rank 0 validates and saves");
        }
        else if (validation is not null)
        {
            var result = Validator.Evaluate(segmentor, validation, batchSize, device);
            state.LastValidation = result;
            message = Inv($"step {state.Step}: validation Dice WT {result.Wt:F4} TC {result.Tc:F4} ET {result.Et:F4} mean {result.Mean:F4}");
            if (result.Mean > state.BestDice)
            {
                (state.BestDice, state.BestStep) = (result.Mean, state.Step);
                checkpoints.SaveModel(state, state.BestDice);
                message += " (best so far, model saved)";
            }
        }
        else
        {
            checkpoints.SaveModel(state, null);
            message = Inv($"step {state.Step}: model saved (no validation set)");
        }

        checkpoints.SaveCheckpoint(state);
        log.Line(message);
        return message;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
