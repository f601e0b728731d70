using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SegAN.Compute;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary>
/// Runs a command body and turns every exception that reaches it into one line naming the path and the problem,
/// with a documented exit code (see <see cref="ExitCodes"/> and <see cref="ErrorReport"/>): never a stack trace.
/// </summary>
internal static class CommandRunner
{
    // The stop signal a command's WithCtrlC saw, per invocation (tests run commands in parallel in one process).
    private static readonly AsyncLocal<StrongBox<PosixSignal?>> StopSignal = new();

    public static int Run(IAnsiConsole console, Func<int> body)
    {
        var signal = new StrongBox<PosixSignal?>();
        StopSignal.Value = signal;
        try
        {
            var code = body();
            return code == ExitCodes.Interrupted ? InterruptedCode(signal) : code;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]interrupted[/]");
            return InterruptedCode(signal);
        }
        catch (TypeInitializationException e) when (e.TypeName == "TorchSharp.torch")
        {
            console.MarkupLineInterpolated($"[red]error:[/] libtorch could not be loaded: {Innermost(e).Message}");
            return ExitCodes.Failed;
        }
#pragma warning disable CA1031 // The point: whatever reaches a command becomes one line and an exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            console.MarkupLineInterpolated($"[red]error:[/] {SettingOptions.OneLine(e)}");
            return ErrorReport.IsUserError(e) ? ExitCodes.Usage : ExitCodes.Failed;
        }
    }

    /// <summary>
    /// Runs long work with a token that the first Ctrl-C (SIGINT) or SIGTERM (what Slurm and Kubernetes send before
    /// killing a job) cancels instead of killing the process, so the work can save a checkpoint or a partial report
    /// and return; the command then exits 130 (SIGINT) or 143 (SIGTERM).
    /// </summary>
    public static T WithCtrlC<T>(Func<CancellationToken, T> body)
    {
        using var cancellation = new CancellationTokenSource();
        var seen = StopSignal.Value;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (seen is not null)
            {
                seen.Value ??= context.Signal;
            }

            cancellation.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return body(cancellation.Token);
    }

    /// <summary>Applies <c>--device</c>/<c>--threads</c> and returns the device.</summary>
    public static TorchSharp.torch.Device InitializeCompute(string device, int threads) =>
        ComputeContext.Initialize(DeviceSpec.Parse(device), threads);

    private static int InterruptedCode(StrongBox<PosixSignal?> signal) =>
        signal.Value == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
