using Spectre.Console;

namespace SegAN.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            // Logs and pipes: keep one message on one line instead of wrapping at 80 columns.
            console.Profile.Width = 200;
        }

        return SeganApp.Run(args, console);
    }
}
