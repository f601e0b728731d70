using System.Globalization;
using System.Runtime.ExceptionServices;
using SegAN.Distributed;

namespace SegAN.Training;

/// <summary>
/// The processes of a run: one without a communicator, else every rank of it. Rank 0 writes the run folder; the
/// others take part in the collective calls and write nothing.
/// </summary>
internal sealed class RankGroup(ICommunicator? communicator)
{
    public bool IsRoot { get; } = communicator is null || communicator.Rank == 0;

    public int Size { get; } = communicator?.Size ?? 1;

    public ICommunicator? Communicator => communicator;

    /// <summary>The global batch is split evenly over the ranks.</summary>
    public void CheckBatchSize(int batchSize)
    {
        if (batchSize % Size != 0)
        {
            throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"batch size {batchSize} is the global batch and must be divisible by the {Size} ranks."));
        }
    }

    /// <summary>
    /// Runs a setup step that only some ranks do (rank 0's file checks), then lets every rank learn whether it
    /// failed, so that a failing rank 0 stops the others instead of leaving them waiting in a collective call.
    /// </summary>
    public void RootFirst(bool run, Action setup)
    {
        Exception? failure = null;
        if (run)
        {
            try
            {
                setup();
            }
            catch (Exception e) when (communicator is not null)
            {
                failure = e;
            }
        }

        if (communicator is null)
        {
            return;
        }

        var anyFailed = communicator.AllReduceMax(failure is null ? 0 : 1) == 1;
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        if (anyFailed)
        {
            throw new SegANException(string.Create(CultureInfo.InvariantCulture, $"rank {communicator.Rank}: rank 0 could not start the run (its error says why)."));
        }
    }

    /// <summary>Ranks stop together: a cancellation seen by one rank stops all of them at the same step.</summary>
    public bool Cancelled(CancellationToken cancellationToken)
    {
        var cancelled = cancellationToken.IsCancellationRequested;
        return communicator is null ? cancelled : communicator.AllReduceMax(cancelled ? 1 : 0) == 1;
    }
}
