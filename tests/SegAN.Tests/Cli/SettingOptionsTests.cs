using System.CommandLine;
using SegAN.Cli;
using SegAN.Cli.Commands;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

public sealed class SettingOptionsTests
{
    [Fact]
    public void EverySettingTheLibraryNames_MapsToAnOptionACommandDeclares()
    {
        // Given every option of every command (and the root's)
        var declared = new HashSet<string>(StringComparer.Ordinal);
        void Collect(Command command)
        {
            foreach (var option in command.Options)
            {
                declared.Add(option.Name);
                declared.UnionWith(option.Aliases);
            }

            foreach (var sub in command.Subcommands)
            {
                Collect(sub);
            }
        }

        Collect(SeganApp.Build(new TestConsole()));

        // Then each setting's option is one of them
        Assert.All(Enum.GetValues<Setting>(), s => Assert.Contains(SettingOptions.Option(s), declared));
    }

    [Fact]
    public void OneLine_LeadsWithTheOptions_OfTheSettingsTheErrorIsAbout()
    {
        Assert.Equal("--batch: batch size 0 must be at least 1", SettingOptions.OneLine(new SegANException(Setting.BatchSize, "batch size 0 must be at least 1")));
        Assert.Equal("--shard, --shards: they disagree", SettingOptions.OneLine(new AggregateException(new SegANException([Setting.Shard, Setting.Shards], "they disagree"))));
        Assert.Equal("x.nii.gz: not found", SettingOptions.OneLine(new SegANException("x.nii.gz: not found")));
    }

    [Fact]
    public void Train_ABadLibrarySetting_ShowsTheUserTheOptionTheyTyped()
    {
        var console = new TestConsole();
        console.Profile.Width = 400;
        var data = Directory.CreateTempSubdirectory("segan-setting-").FullName;
        try
        {
            var code = SeganApp.Run(["train", "--data", data, "--out", Path.Combine(data, "run"), "--batch", "0", "--device", "cpu"], console);

            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("error: --batch: batch size 0 must be at least 1", console.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
