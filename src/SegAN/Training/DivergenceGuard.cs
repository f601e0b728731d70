using System.Globalization;

namespace SegAN.Training;

/// <summary>Stops a run whose loss became NaN or infinite; the last good checkpoint stays as it was.</summary>
internal static class DivergenceGuard
{
    /// <summary>Null while <paramref name="losses"/> are finite; else the message naming the step and the checkpoint kept.</summary>
    public static string? Check(StepLosses losses, TrainingState state, string checkpointPath)
    {
        if (losses.Finite)
        {
            return null;
        }

        return Inv($"stopped at step {state.Step + 1}: a loss became NaN or infinite (critic {losses.Critic}, segmentor {losses.Segmentor}, dice {losses.Dice}); ")
            + (File.Exists(checkpointPath) ? Inv($"the last good checkpoint ({checkpointPath}, step {state.LastGoodStep}) was kept. Lower the learning rate or the critic clip.") : "no checkpoint had been saved yet. Lower the learning rate or the critic clip.");
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
