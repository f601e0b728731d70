using System.CommandLine;
using System.Globalization;
using SegAN.Data;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan synth</c>: writes a synthetic BraTS-layout dataset of phantom heads with tumours.</summary>
internal static class SynthCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var outDir = CommonOptions.Required<DirectoryInfo>("--out", "Folder to write the dataset into (created if missing; a folder per case). Required.");
        var cases = CommonOptions.Defaulted<int>("--cases", 10, "Number of cases. Default: 10.");
        var difficulty = ChoiceOption.Create("--difficulty", "easy (heads with skull, crisp tumours: the demo's phantoms) or realistic (skull-stripped BraTS-like brains: "
            + "infiltrative edema, broken rims, non-enhancing tumour, scanner variation, thick slices, z-scored cases). Default: easy.", PhantomDifficulty.Easy, Choices.Difficulties);
        var size = CommonOptions.Optional<int?>("--size", "Voxels per side of cubic volumes (1 mm voxels). Default: 96 for easy; realistic phantoms default to --shape 240x240x155.");
        var shape = CommonOptions.Optional<string?>("--shape", "Volume shape XxYxZ in 1 mm voxels, realistic only (anatomy is life-size in 240x240x155 and scales with the "
            + "smallest of X/240, Y/240, Z/155; e.g. 96x96x64 for fast runs). Default: 240x240x155 for realistic.");
        var seed = CommonOptions.Defaulted<int>("--seed", 0, "Random seed; the same seed writes the same bytes. Default: 0.");
        var labels = ChoiceOption.Create("--labels", "Label convention and file naming: brats2015 (non-enhancing tumour 3; BraTS 2021 file names), brats2021 "
            + "(non-enhancing merged into 1), brats2023 (2023 names, enhancing = 3) or brats2024-gli (the 2023 names and labels). Default: brats2021.", LabelConvention.Brats2021, Choices.Labels, Choices.LabelAliases);
        var overwrite = CommonOptions.Optional<bool>("--overwrite", "Write into --out even when it already holds files (phantom files of the same names are replaced). Default: off (refused).");
        var split = CommonOptions.Optional<string?>("--split", "TRAIN,VALIDATION,TEST case counts (e.g. 4,0,2): write OUT/train/, OUT/validation/ and OUT/test/ case folders, "
            + "the layout of the PyTorch reference trainer, instead of --cases folders in OUT. Default: none.");
        var command = new Command("synth", "Write synthetic BraTS-like phantoms (T1, T1c, T2, FLAIR and a segmentation per case, NIfTI) for tests, demos and benchmarks.")
        {
            outDir, cases, difficulty, size, shape, seed, labels, split, overwrite,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var level = parse.GetValue(difficulty);
            var side = parse.GetValue(size);
            var text = parse.GetValue(shape);
            if (side is not null && text is not null)
            {
                throw new SegANException("give --size or --shape, not both");
            }

            if (text is not null && level == PhantomDifficulty.Easy)
            {
                throw new SegANException("--shape needs --difficulty realistic (easy phantoms are cubes: use --size)");
            }

            PhantomShape? dimensions = text is not null ? PhantomShape.Parse(text)
                : side is null && level == PhantomDifficulty.Realistic ? PhantomShape.Brats
                : null;
            var options = new PhantomOptions(side ?? 96, parse.GetValue(seed), parse.GetValue(labels), level, dimensions)
                .Validate();
            var target = parse.GetValue(outDir)!;
            Imaging.OutputPath.CheckFolder(target.FullName, "--out");
            if (target.Exists && target.EnumerateFileSystemInfos().Any() && !parse.GetValue(overwrite))
            {
                throw new SegANException($"--out {target.FullName}: the folder already holds files (a dataset?); give --overwrite to write into it anyway, or choose an empty folder");
            }

            target.Create();
            var counts = parse.GetValue(split) is { } s ? ParseSplit(s) : null;
            var folders = counts is { } c
                ? PhantomGenerator.WriteSplit(target, c[0], c[1], c[2], options)
                : PhantomGenerator.WriteDataset(target, parse.GetValue(cases), options);
            var layout = counts is { } k ? string.Create(CultureInfo.InvariantCulture, $" (train {k[0]}, validation {k[1]}, test {k[2]})") : string.Empty;
            console.MarkupLineInterpolated(
                $"wrote {folders.Count} {level.ToString().ToLowerInvariant()} phantom case(s){layout} of {options.Dimensions} voxels ({options.Labels.Name()} labels, seed {options.Seed}) to {target.FullName}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static int[] ParseSplit(string text)
    {
        var parts = text.Split(',');
        var counts = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out counts[i]) || counts[i] < 0)
            {
                throw new SegANException($"--split '{text}': expected TRAIN,VALIDATION,TEST case counts, e.g. 4,0,2");
            }
        }

        return counts.Length == 3 ? counts : throw new SegANException($"--split '{text}': expected TRAIN,VALIDATION,TEST case counts, e.g. 4,0,2");
    }
}
