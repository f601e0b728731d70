using System.CommandLine;
using SegAN.Cli.Commands;
using SegAN.Imaging;
using Spectre.Console;

namespace SegAN.Cli;

/// <summary>
/// The <c>segan</c> command line: parses arguments and calls the library; output goes to an injected console so
/// that tests can run every command in-process.
/// </summary>
public static class SeganApp
{
    private const string MaxVoxelsName = "--max-voxels";

    /// <summary>Builds the root command with every verb.</summary>
    public static RootCommand Build(IAnsiConsole console)
    {
        var root = new RootCommand("SegAN.NET: adversarial medical image segmentation (Xue et al. 2017) on TorchSharp.");
        Func<IAnsiConsole, Command>[] verbs =
        [
            InfoCommand.Create, DemoCommand.Create, InspectCommand.Create, SynthCommand.Create, DatasetCommand.Create, ConvertCommand.Create,
            TrainCommand.Create, PredictCommand.Create, EvaluateCommand.Create, ExportCommand.Create, ExperimentCommand.Create, ServeCommand.Create,
        ];
        foreach (var verb in verbs)
        {
            root.Subcommands.Add(verb(console));
        }

        // The voxel ceiling of every image read and every buffer sized by input, for all commands.
        root.Options.Add(new Option<long?>(MaxVoxelsName)
        {
            Description = $"Most voxels one image file (all its volumes) or one prepared buffer may hold; larger inputs are refused before anything is allocated. Default: {ImageLimits.DefaultMaxVoxels} (1024^3), or the {ImageLimits.MaxVoxelsVariable} environment variable.",
            Recursive = true,
        });
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, IAnsiConsole console)
    {
        var root = Build(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.MarkupLineInterpolated($"[red]error:[/] {error.Message}");
            }

            console.MarkupLine("Run [bold]segan --help[/] (or [bold]segan COMMAND --help[/]) for usage.");
            return ExitCodes.Usage;
        }

        if (parse.GetValue<long?>(MaxVoxelsName) is { } max)
        {
            if (max < 1)
            {
                console.MarkupLineInterpolated($"[red]error:[/] --max-voxels {max} must be at least 1");
                return ExitCodes.Usage;
            }

            using var ceiling = ImageLimits.Override(max);
            return parse.Invoke();
        }

        return parse.Invoke();
    }
}
