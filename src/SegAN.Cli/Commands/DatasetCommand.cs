using System.CommandLine;
using System.Globalization;
using SegAN.Data;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary>
/// <c>segan dataset DATA</c>: shows how a dataset folder is read (layout, cases, groups, the train/validation
/// split) and, with <c>--check</c>, reads and prepares every case to find bad files before training.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var data = new Argument<DirectoryInfo>("DATA") { Description = "Dataset folder: a folder per case (optionally under HGG/LGG group folders)." };
        var seed = CommonOptions.Defaulted<int>("--seed", 0, "Seed of the 9:1 train/validation split. Default: 0.");
        var check = CommonOptions.Optional<bool>("--check", "Read and prepare every case (shapes, geometry, labels); exit 2 on the first bad file. Default: off.");
        var datasetOptions = DatasetOptions.Create();
        var command = new Command("dataset", "Show the cases of a dataset folder, their files and the train/validation split; --check reads every case.")
        {
            data, seed, check,
        };
        datasetOptions.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var root = parse.GetValue(data)!;
            var layout = datasetOptions.Resolve(parse, root);
            var cases = DatasetDiscovery.Discover(root, layout, requireLabels: layout.SegPattern is not null);
            // The split segan train makes by default (see DatasetTrainingOptions.ValidationPolicy).
            var (fraction, onTrainingCases) = new Training.DatasetTrainingOptions(root, layout).ValidationPolicy(cases.Count);
            var split = DatasetSplit.Create(cases, parse.GetValue(seed), fraction);
            var validation = split.Validation.Select(c => c.Directory).ToHashSet(StringComparer.Ordinal);

            console.MarkupLineInterpolated(
                $"modalities: {string.Join(", ", layout.Modalities.Select(m => $"{m.Name}={m.Pattern}"))}; segmentation: {layout.SegPattern ?? "none"}; labels: {layout.Labels.Name()}");
            var table = new Table().Border(TableBorder.Rounded).AddColumn("case").AddColumn("group").AddColumn("split").AddColumn("files");
            foreach (var c in cases)
            {
                var files = c.ModalityFiles.Append(c.SegFile).OfType<string>().Select(Path.GetFileName);
                table.AddRow(
                    Markup.Escape(c.Name),
                    Markup.Escape(c.Group ?? "-"),
                    validation.Contains(c.Directory) ? "validation" : "train",
                    Markup.Escape(string.Join(" ", files)));
            }

            console.Write(table);
            console.MarkupLineInterpolated(
                $"{cases.Count} case(s): {split.Train.Count} train, {split.Validation.Count} validation (seed {parse.GetValue(seed)})");
            if (onTrainingCases)
            {
                console.MarkupLineInterpolated(
                    $"fewer than {DatasetSplit.SmallDatasetCases} cases: segan train holds none out and validates on the training cases (--val-fraction holds some out)");
            }

            if (parse.GetValue(check))
            {
                var options = PreprocessOptions.Default;
                foreach (var c in cases)
                {
                    var prepared = CaseLoader.Prepare(c, layout.Labels, options);
                    foreach (var warning in prepared.Warnings)
                    {
                        console.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
                    }

                    var slices = prepared.SliceHasBrain.Count(b => b);
                    console.MarkupLineInterpolated(
                        $"ok {c.Name}: {string.Join("x", prepared.SourceGeometry.Shape.Select(s => s.ToString(CultureInfo.InvariantCulture)))} voxels, {slices} slices with brain");
                }
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
