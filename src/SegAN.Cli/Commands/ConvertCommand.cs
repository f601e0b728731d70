using System.CommandLine;
using SegAN.Data;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan convert --to nnunet|brats DATASET OUT</c>: rewrites a dataset in the other layout (see <see cref="DatasetConverter"/>).</summary>
internal static class ConvertCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var data = new Argument<DirectoryInfo>("DATASET") { Description = "Dataset to convert: a BraTS release (--to nnunet) or an nnU-Net raw dataset with dataset.json (--to brats)." };
        var output = new Argument<DirectoryInfo>("OUT") { Description = "--to nnunet: the nnUNet_raw folder that receives DatasetIII_NAME; --to brats: the new dataset folder (must not exist or be empty)." };
        var to = ChoiceOption.Required("--to", "Target layout: nnunet or brats. Required.", [("nnunet", Layout.NnUNet), ("brats", Layout.Brats)]);
        var id = new Option<int>("--id") { Description = "nnU-Net dataset id (three digits). Default: 137, nnU-Net's BraTS.", DefaultValueFactory = _ => 137 };
        var name = new Option<string>("--name") { Description = "nnU-Net dataset name. Default: BraTS.", DefaultValueFactory = _ => "BraTS" };
        var preset = ChoiceOption.Create("--preset", "--to nnunet: the source's file naming (brats2015, brats2021, brats2023, brats2024-gli) or auto (detected). Default: auto.", PresetChoice.Auto, Choices.Presets, Choices.PresetAliases);
        var labels = ChoiceOption.Optional("--labels", "--to nnunet: the source's label convention (default: its preset's); --to brats: the labels and file names to write, brats2021, brats2023 or brats2024-gli (default: brats2021).", Choices.Labels, Choices.LabelAliases);
        var command = new Command("convert", "Rewrite a dataset as an nnU-Net v2 raw dataset (channels 0000-0003 = T1, T1ce, T2, Flair; region-based labels) or back in the BraTS layout.")
        {
            data, output, to, id, name, preset, labels,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var source = parse.GetValue(data)!;
            if (!source.Exists)
            {
                throw new SegANException($"{source.FullName}: dataset folder not found");
            }

            var target = parse.GetValue(output)!.FullName;
            var convention = parse.GetValue(labels);
            switch (parse.GetValue(to))
            {
                case Layout.NnUNet:
                    {
                        var release = parse.GetValue(preset).Preset ?? DatasetPresets.Detect(source)
                            ?? throw new SegANException($"{source.FullName}: no file looks like a BraTS release; give --preset");
                        var layout = DatasetPresets.Layout(release, DatasetConverter.Modalities);
                        layout = new DatasetLayout(layout.Modalities, layout.SegPattern, convention ?? layout.Labels);
                        var cases = DatasetDiscovery.Discover(source, layout, requireLabels: false);
                        var folder = DatasetConverter.ToNnUNet(cases, layout.Labels, target, parse.GetValue(id), parse.GetValue(name)!);
                        console.MarkupLineInterpolated($"Wrote [bold]{cases.Count}[/] cases to {folder}");
                        break;
                    }

                case Layout.Brats:
                    {
                        var count = DatasetConverter.ToBrats(NnUNetDataset.Read(source), convention ?? LabelConvention.Brats2021, target);
                        console.MarkupLineInterpolated($"Wrote [bold]{count}[/] cases to {target}");
                        break;
                    }
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The layouts <c>--to</c> names.</summary>
    internal enum Layout
    {
        /// <summary>An nnU-Net v2 raw dataset.</summary>
        NnUNet,

        /// <summary>A BraTS dataset folder.</summary>
        Brats,
    }
}
