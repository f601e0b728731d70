using System.Diagnostics;

namespace SegAN.Training;

/// <summary>
/// Where a run stands (MONAI's engine state): the step, the time, the best model so far and the last validation.
/// The trainer's parts read and advance it; a checkpoint saves it.
/// </summary>
internal sealed class TrainingState
{
    private Stopwatch _session = new();
    private long _sessionStartStep;
    private double _previousSeconds;

    /// <summary>Steps done, which is also the number of batches consumed.</summary>
    public long Step { get; set; }

    /// <summary>Best mean validation Dice so far; -1 before any validation.</summary>
    public double BestDice { get; set; } = -1.0;

    /// <summary>Step of the best model (0 before any validation).</summary>
    public long BestStep { get; set; }

    /// <summary>Step of the last checkpoint, or where this session started.</summary>
    public long LastGoodStep { get; set; }

    /// <summary>The latest validation, or null before the first one of this session.</summary>
    public ValidationResult? LastValidation { get; set; }

    /// <summary>Training time over all sessions.</summary>
    public double Seconds => _previousSeconds + _session.Elapsed.TotalSeconds;

    /// <summary>Continues from a checkpoint's state.</summary>
    public void ResumeFrom(CheckpointState saved) =>
        (Step, _previousSeconds, BestDice, BestStep) = (saved.Step, saved.Seconds, saved.BestDice, saved.BestStep);

    /// <summary>Starts this session's clock at the current step.</summary>
    public void StartSession()
    {
        _sessionStartStep = Step;
        LastGoodStep = Step;
        _session = Stopwatch.StartNew();
    }

    /// <summary>The time left at this session's pace, or null before its first step.</summary>
    public TimeSpan? Remaining(long totalSteps)
    {
        var done = Step - _sessionStartStep;
        return done > 0 ? TimeSpan.FromSeconds(_session.Elapsed.TotalSeconds / done * (totalSteps - Step)) : null;
    }

    public TrainProgress Progress(long totalSteps, StepLosses losses, double lr, string? message) =>
        new(Step, totalSteps, TimeSpan.FromSeconds(Seconds), Remaining(totalSteps), losses, lr, LastValidation, message);

    public TrainResult Result(TrainStatus status, long totalSteps, string folder, string message) =>
        new(status, Step, totalSteps, BestDice, BestStep, folder, message);
}
