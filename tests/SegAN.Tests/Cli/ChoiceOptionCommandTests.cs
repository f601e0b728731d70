using System.CommandLine;
using System.CommandLine.Completions;
using SegAN.Cli;
using SegAN.Cli.Commands;
using SegAN.Data;
using SegAN.Evaluation;
using SegAN.Training;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

/// <summary>
/// The options whose value is one of a library enum's names (issue 16 item 5), outside train: each parses the names
/// users type (and the older spellings) to the enum, keeps its default when left out, lists its names in the help,
/// and refuses any other name with one line naming the option and the allowed names, exit 2, before anything runs.
/// </summary>
public sealed class ChoiceOptionCommandTests
{
    // Each command with its required options and arguments filled, so that the only thing parsed is the option tested.
    private static readonly Dictionary<string, string[]> Required = new()
    {
        ["train"] = ["--data", "d", "--out", "o"],
        ["experiment"] = ["--data", "d", "--out", "o"],
        ["dataset"] = ["d"],
        ["predict"] = ["--model", "m.segan", "--out", "o"],
        ["evaluate"] = ["--pred", "p", "--truth", "t", "--out", "o"],
        ["convert"] = ["d", "o"],
        ["synth"] = ["--out", "o"],
        ["demo"] = [],
        ["serve"] = ["--model", "m.segan"],
    };

    private static TestConsole Console()
    {
        var console = new TestConsole();
        console.Profile.Width = 1000;
        return console;
    }

    // The command line of a test: the required part, and --to nnunet for convert unless the test gives --to.
    private static string[] Args(string command, string[] args) =>
        command == "convert" && !args.Contains("--to") ? [.. Required[command], "--to", "nnunet", .. args] : [.. Required[command], .. args];

    private static Command Command(string name) => SeganApp.Build(Console()).Subcommands.Single(c => c.Name == name);

    private static ParseResult Parse(string command, params string[] args)
    {
        var parse = Command(command).Parse(Args(command, args));
        Assert.Empty(parse.Errors);
        return parse;
    }

    [Theory]
    [InlineData("train", "--labels", "brats2024-gli", LabelConvention.Brats2024Gli)]
    [InlineData("dataset", "--labels", "nnunet-brats", LabelConvention.NnUNetBrats)]
    [InlineData("experiment", "--labels", "BraTS2023", LabelConvention.Brats2023)]
    [InlineData("evaluate", "--labels", "brats2015", LabelConvention.Brats2015)]
    [InlineData("evaluate", "--labels", "brats2017", LabelConvention.Brats2021)] // an older release's name
    [InlineData("convert", "--labels", "brats2024", LabelConvention.Brats2024Gli)]
    [InlineData("predict", "--out-labels", "nnunet", LabelConvention.NnUNetBrats)]
    public void LabelOptions_ParseToTheConvention(string command, string option, string value, LabelConvention expected) =>
        Assert.Equal(expected, Parse(command, option, value).GetValue<LabelConvention?>(option));

    [Theory]
    [InlineData("train", "--labels")]
    [InlineData("evaluate", "--labels")]
    [InlineData("convert", "--labels")]
    [InlineData("predict", "--out-labels")]
    public void LabelOptions_LeftOut_AreNull_SoThePresetOrModelDecides(string command, string option) =>
        Assert.Null(Parse(command).GetValue<LabelConvention?>(option));

    [Theory]
    [InlineData("brats2023", LabelConvention.Brats2023)]
    [InlineData("brats2013", LabelConvention.Brats2015)]
    public void SynthLabels_ParseToTheConvention_DefaultBrats2021(string value, LabelConvention expected)
    {
        Assert.Equal(expected, Parse("synth", "--labels", value).GetValue<LabelConvention>("--labels"));
        Assert.Equal(LabelConvention.Brats2021, Parse("synth").GetValue<LabelConvention>("--labels"));
    }

    [Theory]
    [InlineData("train", "brats2024-gli", DatasetPreset.Brats2024Gli)]
    [InlineData("predict", "brats2015", DatasetPreset.Brats2015)]
    [InlineData("serve", "BRATS2023", DatasetPreset.Brats2023)]
    [InlineData("convert", "brats2020", DatasetPreset.Brats2021)] // an older release's name
    [InlineData("dataset", "auto", null)]
    public void Preset_ParsesToTheRelease_AutoIsNone(string command, string value, DatasetPreset? expected)
    {
        Assert.Equal(expected, Parse(command, "--preset", value).GetValue<PresetChoice>("--preset").Preset);
        Assert.Equal(PresetChoice.Auto, Parse(command).GetValue<PresetChoice>("--preset"));
        Assert.Equal("auto", PresetChoice.Auto.ToString()); // the help's [default: auto]
    }

    [Theory]
    [InlineData("evaluate", "met", BratsChallenge.Met)]
    [InlineData("evaluate", "brats-ssa", BratsChallenge.Ssa)] // the official name
    [InlineData("experiment", "PED", BratsChallenge.Ped)]
    public void Challenge_ParsesToTheChallenge_NoneByDefault(string command, string value, BratsChallenge expected)
    {
        Assert.Equal(expected, Parse(command, "--challenge", value).GetValue<BratsChallenge?>("--challenge"));
        Assert.Null(Parse(command).GetValue<BratsChallenge?>("--challenge"));
    }

    [Theory]
    [InlineData("synth")]
    [InlineData("demo")]
    public void Difficulty_ParsesToTheLevel_DefaultEasy(string command)
    {
        Assert.Equal(PhantomDifficulty.Realistic, Parse(command, "--difficulty", "realistic").GetValue<PhantomDifficulty>("--difficulty"));
        Assert.Equal(PhantomDifficulty.Easy, Parse(command).GetValue<PhantomDifficulty>("--difficulty"));
    }

    [Theory]
    [InlineData("centre", SliceWindow.Centre)]
    [InlineData("center", SliceWindow.Centre)] // the American spelling still works
    [InlineData("whole", SliceWindow.Whole)]
    public void PredictWindow_ParsesToTheWindow(string value, SliceWindow expected) =>
        Assert.Equal(expected, Parse("predict", "--window", value).GetValue<SliceWindow>("--window"));

    [Fact]
    public void PredictWindowAndNaming_Default_WholeAndBrats()
    {
        var parse = Parse("predict");
        Assert.Equal(SliceWindow.Whole, parse.GetValue<SliceWindow>("--window"));
        Assert.Equal(PredictCommand.LabelMapNaming.Brats, parse.GetValue<PredictCommand.LabelMapNaming>("--naming"));
        Assert.Equal(PredictCommand.LabelMapNaming.NnUNet, Parse("predict", "--naming", "nnunet").GetValue<PredictCommand.LabelMapNaming>("--naming"));
    }

    [Fact]
    public void ExperimentOptimizer_ParsesToTheKind_DefaultRmsProp()
    {
        Assert.Equal(OptimizerKind.Adam, Parse("experiment", "--optimizer", "Adam").GetValue<OptimizerKind>("--optimizer"));
        Assert.Equal(OptimizerKind.RmsProp, Parse("experiment").GetValue<OptimizerKind>("--optimizer"));
    }

    [Fact]
    public void ConvertTo_ParsesToTheLayout_AndIsRequired()
    {
        Assert.Equal(ConvertCommand.Layout.Brats, Parse("convert", "--to", "brats").GetValue<ConvertCommand.Layout>("--to"));
        Assert.Contains(Command("convert").Parse(["d", "o"]).Errors, e => e.Message.Contains("--to", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("synth", "--difficulty", "easy|realistic")]
    [InlineData("demo", "--difficulty", "easy|realistic")]
    [InlineData("predict", "--window", "whole|centre")]
    [InlineData("predict", "--naming", "brats|nnunet")]
    [InlineData("predict", "--out-labels", "brats2015|brats2021|brats2023|brats2024-gli|nnunet-brats")]
    [InlineData("evaluate", "--labels", "brats2015|brats2021|brats2023|brats2024-gli|nnunet-brats")]
    [InlineData("evaluate", "--challenge", "gli|ssa|men|ped|met")]
    [InlineData("experiment", "--optimizer", "adam|rmsprop")]
    [InlineData("experiment", "--challenge", "gli|ssa|men|ped|met")]
    [InlineData("convert", "--to", "nnunet|brats")]
    [InlineData("convert", "--preset", "auto|brats2015|brats2021|brats2023|brats2024-gli")]
    [InlineData("train", "--preset", "auto|brats2015|brats2021|brats2023|brats2024-gli")]
    [InlineData("train", "--variant", "s1-1c|s3-1c|s3-3c|s3-3c-s0|s3-3c-s3|unet")] // not the enum's S3_3C
    public void Help_ListsTheAllowedNames(string command, string option, string names)
    {
        // The help writes "--window <whole|centre>" from the option's help name; completion offers the same names
        var declared = Command(command).Options.Single(o => o.Name == option);

        Assert.Equal(names, declared.HelpName);
        Assert.Equal(names.Split('|').Order(), declared.GetCompletions(CompletionContext.Empty).Select(c => c.Label).Order());
    }

    [Theory]
    [InlineData("synth", "--difficulty", "hard", "easy, realistic")]
    [InlineData("demo", "--difficulty", "hard", "easy, realistic")]
    [InlineData("synth", "--labels", "brats2022", "brats2015, brats2021, brats2023, brats2024-gli, nnunet-brats")]
    [InlineData("predict", "--window", "crop", "whole, centre")]
    [InlineData("predict", "--naming", "monai", "brats, nnunet")]
    [InlineData("predict", "--out-labels", "brats1999", "brats2015, brats2021, brats2023, brats2024-gli, nnunet-brats")]
    [InlineData("predict", "--preset", "nnunet-brats", "auto, brats2015, brats2021, brats2023, brats2024-gli")]
    [InlineData("dataset", "--labels", "brats1999", "brats2015, brats2021, brats2023, brats2024-gli, nnunet-brats")]
    [InlineData("evaluate", "--challenge", "xyz", "gli, ssa, men, ped, met")]
    [InlineData("experiment", "--optimizer", "sgd", "adam, rmsprop")]
    [InlineData("experiment", "--challenge", "brats-xyz", "gli, ssa, men, ped, met")]
    [InlineData("convert", "--to", "monai", "nnunet, brats")]
    [InlineData("convert", "--preset", "brats2022", "auto, brats2015, brats2021, brats2023, brats2024-gli")]
    [InlineData("convert", "--labels", "brats2022", "brats2015, brats2021, brats2023, brats2024-gli, nnunet-brats")]
    public void AnUnknownName_IsOneLineNamingTheOptionAndTheAllowedNames_Exit2(string command, string option, string value, string allowed)
    {
        var console = Console();

        // The required options name folders and files that do not exist: a name the parser refuses stops it first
        var code = SeganApp.Run([command, .. Args(command, [option, value])], console);

        Assert.Equal(ExitCodes.Usage, code);
        var errors = console.Output.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Equal($"error: {option} '{value}' is not one of {allowed}.", Assert.Single(errors).TrimEnd());
    }
}
