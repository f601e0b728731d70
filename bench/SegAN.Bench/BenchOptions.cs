using System.Globalization;

namespace SegAN.Bench;

/// <summary>
/// Command line of the bench: <c>[--quick] [--json out.json] [--threads N] [--only matmul,train,infer,levers,case,serve,leak,yardstick,io,ops]</c>.
/// Quick mode runs every section at toy sizes (a smoke test of the harness, not a measurement).
/// </summary>
internal sealed record BenchOptions(bool Quick, string? JsonPath, int Threads, IReadOnlySet<string> Sections, int[]? Batches = null, string? TrainedModel = null)
{
    public static readonly string[] AllSections = ["matmul", "train", "infer", "levers", "case", "serve", "leak", "yardstick", "io", "ops"];

    public int Size => Quick ? 64 : 160;

    public int[] TrainBatches => Batches ?? (Quick ? [2, 4] : [16, 64]);

    public int InferBatch => Quick ? 4 : 16;

    public int Warmup => 1;

    public int TrainIterations(int batch) => Quick ? 1 : batch >= 64 ? 2 : 3;

    public int InferIterations => Quick ? 2 : 5;

    public int LeakSteps => Quick ? 100 : 1000;

    public bool Runs(string section) => Sections.Contains(section);

    public static BenchOptions Parse(string[] args)
    {
        var quick = false;
        string? json = null;
        var threads = Environment.ProcessorCount;
        var sections = new HashSet<string>(AllSections.Except(["ops", "io"]), StringComparer.Ordinal);
        int[]? batches = null;
        string? model = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--json":
                    json = Next(args, ref i);
                    break;
                case "--threads":
                    threads = int.Parse(Next(args, ref i), CultureInfo.InvariantCulture);
                    break;
                case "--batches":
                    batches = [.. Next(args, ref i).Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture))];
                    break;
                case "--model":
                    model = Next(args, ref i);
                    break;
                case "--only":
                    sections = new HashSet<string>(Next(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
                    var unknown = sections.Except(AllSections).ToList();
                    if (unknown.Count > 0)
                    {
                        throw new ArgumentException($"--only: unknown section(s) {string.Join(", ", unknown)}; sections are {string.Join(", ", AllSections)}");
                    }

                    break;
                case "--help" or "-h":
                    throw new ArgumentException("usage: SegAN.Bench [--quick] [--json out.json] [--threads N (default: cores)] [--batches 16,64 (training; the first is compared with PyTorch)] [--model trained.segan (bfloat16 Dice check)] [--only " + string.Join(',', AllSections) + "]");
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'; try --help");
            }
        }

        if (threads < 1)
        {
            throw new ArgumentException($"--threads {threads} must be at least 1");
        }

        return new BenchOptions(quick, json, threads, sections, batches, model);
    }

    private static string Next(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
