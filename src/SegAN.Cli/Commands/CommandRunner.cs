using SegAN.Compute;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary>Runs a command body and turns the library's errors into one-line messages and exit codes.</summary>
internal static class CommandRunner
{
    public static int Run(IAnsiConsole console, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (SegANException e)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]interrupted[/]");
            return ExitCodes.Interrupted;
        }
        catch (TypeInitializationException e) when (e.TypeName == "TorchSharp.torch")
        {
            console.MarkupLineInterpolated($"[red]error:[/] libtorch could not be loaded: {Innermost(e).Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// Runs long work with a token that the first Ctrl-C cancels instead of killing the process, so the work can
    /// save a checkpoint or a partial report and return.
    /// </summary>
    public static T WithCtrlC<T>(Func<CancellationToken, T> body)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return body(cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Applies <c>--device</c>/<c>--threads</c> and returns the device.</summary>
    public static TorchSharp.torch.Device InitializeCompute(string device, int threads) =>
        ComputeContext.Initialize(DeviceSpec.Parse(device), threads);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
