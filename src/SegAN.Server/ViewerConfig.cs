using System.Globalization;
using System.Text.Json.Nodes;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Reporting;

namespace SegAN.Server;

/// <summary>The viewer's configuration: the models with their modalities and label colours, and the patterns that assign files to modalities.</summary>
internal static partial class ViewerApi
{
    private static JsonObject Config(ServerState state)
    {
        var models = new JsonArray();
        foreach (var m in state.Models)
        {
            var convention = m.OwnLabelsPredictor.Labels;
            models.Add(new JsonObject
            {
                ["name"] = m.Model.Name,
                ["modalities"] = new JsonArray([.. m.Modalities.Select(x => (JsonNode)x)]),
                ["labels"] = convention.Name(),
                ["label_values"] = LabelValues(convention),
                ["description"] = $"SegAN.NET {m.Info.Header.Architecture.Variant} ({m.EngineName} engine)",
            });
        }

        var patterns = new JsonArray();
        foreach (var (name, family) in PatternFamilies(state))
        {
            var entries = new JsonArray();
            foreach (var p in family)
            {
                entries.Add(new JsonObject { ["modality"] = p.Name, ["pattern"] = p.Pattern });
            }

            patterns.Add(new JsonObject { ["name"] = name, ["modalities"] = entries });
        }

        var studies = new JsonArray();
        foreach (var image in state.Store.All().Where(i => i.Case is not null))
        {
            var files = new JsonObject();
            for (var i = 0; i < image.Case!.Modalities.Count; i++)
            {
                files[image.Case.Modalities[i]] = Path.GetFileName(image.Case.ModalityFiles[i]);
            }

            studies.Add(new JsonObject { ["id"] = image.Id, ["labelled"] = image.Labelled, ["files"] = files });
        }

        return new JsonObject
        {
            ["models"] = models,
            ["patterns"] = patterns,
            ["studies"] = studies,
            ["regions"] = new JsonArray([.. LabelNames.Regions.Select(r => (JsonNode)new JsonObject { ["name"] = r.ShortName(), ["colour"] = Hex(RegionColour(r)) })]),
        };
    }

    /// <summary>
    /// Each label value of <paramref name="convention"/> with its name and the colour of its innermost region, as the
    /// reports paint them (whole tumour yellow, core blue, enhancing red).
    /// </summary>
    private static JsonArray LabelValues(LabelConvention convention)
    {
        var values = new JsonArray();
        foreach (var value in BratsLabels.Labels(convention).Where(v => v > 0))
        {
            var innermost = LabelNames.Regions.Last(r => BratsLabels.RegionLabels(convention, r).Contains(value));
            var name = value == BratsLabels.EnhancingLabel(convention) ? "enhancing tumour"
                : value == BratsLabels.EdemaLabel ? "edema"
                : value == BratsLabels.NecrosisLabel ? (convention == LabelConvention.Brats2015 ? "necrosis" : "necrosis / non-enhancing core")
                : "non-enhancing tumour";
            values.Add(new JsonObject { ["value"] = value, ["name"] = name, ["colour"] = Hex(RegionColour(innermost)) });
        }

        return values;
    }

    private static Rgb RegionColour(Region region) => region switch
    {
        Region.WholeTumour => Rgb.Yellow,
        Region.TumourCore => Rgb.Blue,
        _ => Rgb.Red,
    };

    private static string Hex(Rgb c) => string.Create(CultureInfo.InvariantCulture, $"#{c.R:x2}{c.G:x2}{c.B:x2}");

    /// <summary>The naming schemes the CLI knows, the studies' own first: the page assigns dropped files with them.</summary>
    private static IEnumerable<(string Name, IReadOnlyList<ModalityPattern> Modalities)> PatternFamilies(ServerState state)
    {
        if (state.Options.StudiesLayout is { } layout)
        {
            yield return ("studies", layout.Modalities);
        }

        foreach (var preset in new[] { DatasetPreset.Brats2023, DatasetPreset.Brats2021, DatasetPreset.Brats2015 })
        {
            yield return (preset.Name(), DatasetPresets.AllModalities(preset));
        }
    }
}
