using System.Globalization;
using System.Runtime.InteropServices;

namespace SegAN.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over MPI_COMM_WORLD of Open MPI (Debian's <c>libopenmpi3</c>: <c>libmpi.so.40</c>),
/// loaded at run time so that nothing needs MPI unless <c>--distributed</c> asks for it. Open MPI's handles
/// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the addresses of exported data symbols (<c>ompi_mpi_comm_world</c>
/// ...), read with <see cref="NativeLibrary.GetExport"/>. Launch with <c>mpirun -np N</c> or <c>srun --mpi=pmix -n N</c>;
/// started alone, MPI makes a world of one. All calls must come from one thread at a time (MPI_THREAD_SERIALIZED).
/// </summary>
public sealed class MpiCommunicator : ICommunicator, IDisposable
{
    /// <summary>The Open MPI library names tried in order (override with SEGAN_MPI_LIBRARY).</summary>
    private static readonly IReadOnlyList<string> LibraryNames = ["libmpi.so.40", "libmpi.so"];

    private const int Success = 0;
    private const int ThreadSerialized = 2;

    private static readonly IntPtr InPlace = new(1); // Open MPI's MPI_IN_PLACE

    private readonly IntPtr _library;
    private readonly IntPtr _world;
    private readonly IntPtr _float;
    private readonly IntPtr _int;
    private readonly IntPtr _byte;
    private readonly IntPtr _sum;
    private readonly IntPtr _max;
    private readonly AllreduceFn _allreduce;
    private readonly BcastFn _bcast;
    private readonly FinalizeFn _finalize;
    private bool _disposed;

    private MpiCommunicator(IntPtr library)
    {
        _library = library;
        _world = Export("ompi_mpi_comm_world");
        _float = Export("ompi_mpi_float");
        _int = Export("ompi_mpi_int");
        _byte = Export("ompi_mpi_byte");
        _sum = Export("ompi_mpi_op_sum");
        _max = Export("ompi_mpi_op_max");
        _allreduce = Function<AllreduceFn>("MPI_Allreduce");
        _bcast = Function<BcastFn>("MPI_Bcast");
        _finalize = Function<FinalizeFn>("MPI_Finalize");
        var initialized = Function<InitializedFn>("MPI_Initialized");
        Check(initialized(out var already), "MPI_Initialized");
        if (already == 0)
        {
            Check(Function<InitThreadFn>("MPI_Init_thread")(IntPtr.Zero, IntPtr.Zero, ThreadSerialized, out _), "MPI_Init_thread");
        }

        Check(Function<CommIntFn>("MPI_Comm_rank")(_world, out var rank), "MPI_Comm_rank");
        Check(Function<CommIntFn>("MPI_Comm_size")(_world, out var size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int InitializedFn(out int flag);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int InitThreadFn(IntPtr argc, IntPtr argv, int required, out int provided);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CommIntFn(IntPtr comm, out int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int AllreduceFn(IntPtr send, IntPtr receive, int count, IntPtr type, IntPtr op, IntPtr comm);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int BcastFn(IntPtr buffer, int count, IntPtr type, int root, IntPtr comm);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int FinalizeFn();

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>
    /// Loads Open MPI and initialises MPI (once per process). Throws a <see cref="SegANException"/> saying what to
    /// install when the library cannot be loaded.
    /// </summary>
    public static MpiCommunicator Initialize()
    {
        var names = Environment.GetEnvironmentVariable("SEGAN_MPI_LIBRARY") is { Length: > 0 } custom ? [custom] : LibraryNames;
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return new MpiCommunicator(handle);
            }
        }

        throw new SegANException(Setting.Distributed, $"distributed training needs Open MPI but none of {string.Join(", ", names)} could be loaded; install it (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi3) and launch with mpirun -np N or srun --mpi=pmix -n N.");
    }

    /// <inheritdoc/>
    public void AllReduceSum(float[] values, int count)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, values.Length);
        var pin = GCHandle.Alloc(values, GCHandleType.Pinned);
        try
        {
            Check(_allreduce(InPlace, pin.AddrOfPinnedObject(), count, _float, _sum, _world), "MPI_Allreduce");
        }
        finally
        {
            pin.Free();
        }
    }

    /// <inheritdoc/>
    public int AllReduceMax(int value)
    {
        int[] box = [value];
        var pin = GCHandle.Alloc(box, GCHandleType.Pinned);
        try
        {
            Check(_allreduce(InPlace, pin.AddrOfPinnedObject(), 1, _int, _max, _world), "MPI_Allreduce");
        }
        finally
        {
            pin.Free();
        }

        return box[0];
    }

    /// <inheritdoc/>
    public void Broadcast(byte[] buffer, int root)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var pin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            Check(_bcast(pin.AddrOfPinnedObject(), buffer.Length, _byte, root, _world), "MPI_Bcast");
        }
        finally
        {
            pin.Free();
        }
    }

    /// <summary>Finalises MPI (every rank must, before it exits).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Check(_finalize(), "MPI_Finalize");
    }

    private IntPtr Export(string symbol) =>
        NativeLibrary.TryGetExport(_library, symbol, out var address)
            ? address
            : throw new SegANException($"the loaded MPI library has no symbol {symbol}; SegAN.NET needs Open MPI 4 or later (libmpi.so.40).");

    private T Function<T>(string symbol)
        where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(Export(symbol));

    private static void Check(int code, string call)
    {
        if (code != Success)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{call} failed with MPI error code {code}"));
        }
    }
}
