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
        root.Subcommands.Add(InfoCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(InspectCommand.Create(console));
        root.Subcommands.Add(SynthCommand.Create(console));
        root.Subcommands.Add(DatasetCommand.Create(console));
        root.Subcommands.Add(ConvertCommand.Create(console));
        root.Subcommands.Add(TrainCommand.Create(console));
        root.Subcommands.Add(PredictCommand.Create(console));
        root.Subcommands.Add(EvaluateCommand.Create(console));
        root.Subcommands.Add(ExportCommand.Create(console));
        root.Subcommands.Add(ExperimentCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
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
