namespace SegAN.Distributed;

/// <summary>
/// Makes every rank start from rank 0's state: its weights (with batch-norm statistics), optimiser states and step
/// count, whether rank 0 just initialised them or restored them from <c>last.ckpt</c> (so resuming needs the run
/// folder on rank 0 only).
/// </summary>
internal static class StateBroadcast
{
    /// <summary>
    /// Broadcasts rank 0's state (written by <paramref name="save"/>) and <paramref name="step"/>; the other ranks read
    /// it back with <paramref name="load"/>. Returns rank 0's step.
    /// </summary>
    public static long FromRoot(ICommunicator communicator, long step, Action<BinaryWriter> save, Action<BinaryReader> load)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(save);
        ArgumentNullException.ThrowIfNull(load);
        byte[] state = [];
        if (communicator.Rank == 0)
        {
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(step);
                save(writer);
            }

            state = buffer.ToArray();
        }

        var length = BitConverter.GetBytes((long)state.Length);
        communicator.Broadcast(length, 0);
        if (communicator.Rank != 0)
        {
            state = new byte[BitConverter.ToInt64(length)];
        }

        communicator.Broadcast(state, 0);
        if (communicator.Rank == 0)
        {
            return step;
        }

        using var reader = new BinaryReader(new MemoryStream(state));
        var rootStep = reader.ReadInt64();
        load(reader);
        return rootStep;
    }
}
