namespace SegAN.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, among <see cref="Size"/> processes (ranks). Every rank must
/// make the same calls in the same order with the same lengths (as with MPI), else the job hangs.
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's rank, 0 to <see cref="Size"/> - 1; rank 0 validates, logs and writes the run folder.</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks.</summary>
    void AllReduceSum(float[] values, int count);

    /// <summary>The largest <paramref name="value"/> over all ranks (on every rank).</summary>
    int AllReduceMax(int value);

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="buffer"/> into every rank's buffer of the same length.</summary>
    void Broadcast(byte[] buffer, int root);
}
