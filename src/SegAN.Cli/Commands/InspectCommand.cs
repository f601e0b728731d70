using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SegAN.Imaging;
using Spectre.Console;

namespace SegAN.Cli.Commands;

/// <summary><c>segan inspect FILE</c>: format, shape, voxel sizes, datatype, byte order, affine, orientation, intensities, labels.</summary>
internal static class InspectCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var file = new Argument<string>("file")
        {
            Description = "Image to describe: .nii, .nii.gz (NIfTI-1/2), .mha or .mhd (MetaImage), or .png (shape W x H x channels).",
        };
        var json = CommonOptions.Json();
        var command = new Command("inspect", "Describe an image file: format, shape, voxel sizes, on-disk datatype, byte order, affine, orientation, intensity range and, for a label map, its labels.")
        {
            file, json,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var inspection = ImageInspection.Of(parse.GetValue(file)!);
            if (parse.GetValue(json))
            {
                console.WriteLine(JsonSerializer.Serialize(ToJson(inspection), JsonDefaults.IndentedNamedFloats));
            }
            else
            {
                Print(console, inspection);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static InspectJson ToJson(ImageInspection r) => new(
        r.Info.FormatName,
        r.Info.Shape,
        r.Info.Spacing,
        r.Info.DataType.Name(),
        r.Info.BigEndian ? "big" : "little",
        Affines.ToRows(r.Info.Affine),
        r.Info.Orientation,
        r.Min,
        r.Max,
        r.Mean,
        r.Labels);

    private static void Print(IAnsiConsole console, ImageInspection r)
    {
        static string N(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("item").AddColumn("value");
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("file", r.Info.Path);
        Row("format", r.Info.FormatName);
        Row("shape", string.Join(" x ", r.Info.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))));
        Row("spacing", string.Join(" x ", r.Info.Spacing.Select(N)));
        Row("datatype", r.Info.DataType.Name());
        Row("endianness", r.Info.BigEndian ? "big" : "little");
        Row("orientation", r.Info.Orientation);
        Row("affine", string.Join('\n', Affines.ToRows(r.Info.Affine).Select(row => string.Join("  ", row.Select(v => N(v).PadLeft(10))))));
        Row("min / max / mean", $"{N(r.Min)} / {N(r.Max)} / {N(r.Mean)}");
        if (r.Labels is not null)
        {
            Row("labels", string.Join(", ", r.Labels.Select(l => l.ToString(CultureInfo.InvariantCulture))));
        }

        console.Write(table);
    }

    // A non-label image has no labels: the member is left out.
    private sealed record InspectJson(
        [property: JsonPropertyName("format")] string Format,
        [property: JsonPropertyName("shape")] long[] Shape,
        [property: JsonPropertyName("spacing")] double[] Spacing,
        [property: JsonPropertyName("datatype")] string Datatype,
        [property: JsonPropertyName("endianness")] string Endianness,
        [property: JsonPropertyName("affine")] double[][] Affine,
        [property: JsonPropertyName("orientation")] string Orientation,
        [property: JsonPropertyName("min")] double Min,
        [property: JsonPropertyName("max")] double Max,
        [property: JsonPropertyName("mean")] double Mean,
        [property: JsonPropertyName("labels"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<long>? Labels);
}
