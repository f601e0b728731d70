using System.CommandLine;
using SegAN.Data;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan synth</c>: writes a synthetic BraTS-layout dataset of phantom heads with tumours.</summary>
internal static class SynthCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var outDir = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder to write the dataset into (created if missing; a folder per case). Required.",
            Required = true,
        };
        var cases = new Option<int>("--cases")
        {
            Description = "Number of cases. Default: 10.",
            DefaultValueFactory = _ => 10,
        };
        var size = new Option<int>("--size")
        {
            Description = "Voxels per side of each cubic volume (1 mm voxels). Default: 96.",
            DefaultValueFactory = _ => 96,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Random seed; the same seed writes the same bytes. Default: 0.",
            DefaultValueFactory = _ => 0,
        };
        var labels = new Option<string>("--labels")
        {
            Description = "Label convention and file naming: brats2015, brats2021 or brats2023 (2023 names, enhancing = 3). Default: brats2021.",
            DefaultValueFactory = _ => "brats2021",
        };
        var overwrite = new Option<bool>("--overwrite")
        {
            Description = "Write into --out even when it already holds files (phantom files of the same names are replaced). Default: off (refused).",
        };
        var command = new Command("synth", "Write synthetic BraTS-like phantoms (T1, T1c, T2, FLAIR and a segmentation per case, NIfTI) for tests and demos.")
        {
            outDir, cases, size, seed, labels, overwrite,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var options = new PhantomOptions(parse.GetValue(size), parse.GetValue(seed), LabelNames.ParseConvention(parse.GetValue(labels)!));
            var target = parse.GetValue(outDir)!;
            Imaging.OutputPath.CheckFolder(target.FullName, "--out");
            if (target.Exists && target.EnumerateFileSystemInfos().Any() && !parse.GetValue(overwrite))
            {
                throw new SegANException($"--out {target.FullName}: the folder already holds files (a dataset?); give --overwrite to write into it anyway, or choose an empty folder");
            }

            target.Create();
            var folders = PhantomGenerator.WriteDataset(target, parse.GetValue(cases), options);
            console.MarkupLineInterpolated(
                $"wrote {folders.Count} phantom case(s) of {options.Size}^3 voxels ({options.Labels.Name()} labels, seed {options.Seed}) to {target.FullName}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
