using System.CommandLine;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Reporting;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan evaluate</c>: scores predicted label maps against truths the BraTS way and writes the report files.</summary>
internal static class EvaluateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var pred = CommonOptions.Required<DirectoryInfo>("--pred", "Folder of predicted label maps, CASE_seg.nii.gz or CASE.nii.gz. Required.");
        var truth = CommonOptions.Required<DirectoryInfo>("--truth", "Truth label maps: a BraTS dataset folder (CASE_seg.nii.gz, CASE-seg.nii.gz or *.OT.*.mha in case folders) or a flat folder of CASE.nii.gz. Required.");
        var labels = ChoiceOption.Optional("--labels", "Label convention of both: brats2015, brats2021 (ET = 4), brats2023 (ET = 3), brats2024-gli (ET = 3, resection cavity 4 in no region) or nnunet-brats. Default: an nnU-Net truth folder's own (its dataset.json), else brats2021.", Choices.Labels, Choices.LabelAliases);
        var output = CommonOptions.Required<DirectoryInfo>("--out", "Report folder for cases.csv, summary.json and summary.md (created if needed). Required.", "-o");
        var jobs = CommonOptions.Defaulted<int>("--jobs", 2, "Cases scored at once. Default: 2.");
        var html = CommonOptions.Optional<bool>("--html", "Also write report.html: tables, a Dice chart and overlay pictures of the worst, median and best case, all embedded. Default: off.");
        var run = CommonOptions.Optional<DirectoryInfo?>("--run", "Training run folder whose metrics.jsonl curves go into report.html (implies --html). Default: none.");
        var lesionWise = CommonOptions.Optional<bool>("--lesion-wise", "Also score the BraTS 2023-2024 lesion-wise Dice and HD95 and count true-positive, false-positive and false-negative lesions, as the challenges rank. Default: off.");
        var challenge = ChoiceOption.Optional("--challenge", "Challenge whose lesion-wise parameters apply: gli, ssa, ped (dilation 3, lesions over 50 mm³), men (1, 50) or met (1, 2). Implies --lesion-wise. Default: gli with --lesion-wise, else none.", Choices.Challenges, Choices.ChallengeAliases);
        var json = CommonOptions.Json();
        var command = new Command("evaluate", "Score predicted label maps against truths per case and region (WT, TC, ET): Dice, precision, sensitivity, specificity, HD95 (mm).")
        {
            pred, truth, labels, output, jobs, html, run, lesionWise, challenge, json,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var options = new EvaluateOptions(
                parse.GetValue(pred)!,
                parse.GetValue(truth)!,
                parse.GetValue(labels)
                    ?? (NnUNetDataset.IsDataset(parse.GetValue(truth)!) ? NnUNetDataset.Read(parse.GetValue(truth)!).Labels : LabelConvention.Brats2021),
                parse.GetValue(jobs),
                parse.GetValue(challenge) ?? (parse.GetValue(lesionWise) ? BratsChallenge.Gli : null));
            var runFolder = parse.GetValue(run);
            if (runFolder is { Exists: false })
            {
                throw new SegANException($"{runFolder.FullName}: run folder not found");
            }

            var folder = parse.GetValue(output)!;
            Imaging.OutputPath.CheckFolder(folder.FullName, "--out");
            var result = FolderEvaluator.Evaluate(options);
            var files = EvaluationReport.Write(result, folder).ToList();
            if (parse.GetValue(html) || runFolder is not null)
            {
                var report = Path.Combine(folder.FullName, HtmlReport.FileName);
                HtmlReport.Write(report, result, runFolder?.FullName, EvaluationOverlays.Render(result));
                files.Add(report);
            }

            if (parse.GetValue(json))
            {
                console.WriteLine(File.ReadAllText(files[1]));
                return ExitCodes.Ok;
            }

            EvaluationTable.Print(console, result);
            console.MarkupLineInterpolated($"Wrote [bold]{string.Join(", ", files.Select(Path.GetFileName))}[/] to {folder.FullName}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
