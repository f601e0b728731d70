using SegAN.Inference;

namespace SegAN.Tests;

public sealed class SettingTests
{
    [Fact]
    public void EverySetting_HasItsOwnName_ThatReadsBack()
    {
        var settings = Enum.GetValues<Setting>();

        Assert.Equal(settings.Length, settings.Select(s => s.Name()).Distinct(StringComparer.Ordinal).Count());
        Assert.All(settings, s => Assert.Equal(s, SettingNames.FromName(s.Name())));
        Assert.All(settings, s => Assert.DoesNotContain("--", s.Name(), StringComparison.Ordinal));
        Assert.Null(SettingNames.FromName("--batch"));
    }

    [Fact]
    public void ALibraryError_NamesTheConceptAndTheValue_AndCarriesTheSetting_NotACommandLineOption()
    {
        var e = Assert.Throws<SegANException>(() => new PredictOptions(BatchSize: 0).Validate());

        Assert.Equal("batch size 0 must be at least 1", e.Message);
        Assert.Equal([Setting.BatchSize], e.Settings);
    }

    [Fact]
    public void AnErrorAboutNoSetting_HasNone()
    {
        Assert.Empty(new SegANException("x.nii.gz: not found").Settings);
    }
}
