using SegAN.Cli;
using Spectre.Console.Testing;

namespace SegAN.Tests.Cli;

/// <summary>
/// A phantom dataset (3 cases of 32^3) and a tiny model trained for one step on it, shared by the hostile-input
/// command tests; tests that change files copy the dataset first.
/// </summary>
public sealed class HostileCliFixture : IDisposable
{
    public HostileCliFixture()
    {
        Root = Directory.CreateTempSubdirectory("segan-hostile-").FullName;
        Data = Path.Combine(Root, "data");
        Model = Path.Combine(Root, "run", "model.segan");
        Expect(ExitCodes.Ok, Segan("synth", "--out", Data, "--cases", "3", "--size", "32", "--seed", "3"));
        Expect(ExitCodes.Ok, Segan("train", "--data", Data, "--out", Path.Combine(Root, "run"), "--steps", "1", "--batch", "2", "--depth", "1", "--critic-depth", "1", "--width", "2", "--slice-size", "16", "--crop", "24x24x16", "--device", "cpu"));
    }

    public string Root { get; }

    public string Data { get; }

    public string Model { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Runs <c>segan ARGS</c> in process; returns the exit code and everything printed.</summary>
    public static (int Code, string Output) Segan(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 1000;
        var code = SeganApp.Run(args, console);
        return (code, console.Output);
    }

    public static void Expect(int code, (int Code, string Output) result) => Assert.True(result.Code == code, $"exit {result.Code}, expected {code}:\n{result.Output}");

    /// <summary>
    /// Asserts exit code <paramref name="code"/> and exactly one "error:" line that contains every fragment, and no
    /// stack trace; returns that line.
    /// </summary>
    public static string OneLineError((int Code, string Output) result, int code, params string[] fragments)
    {
        Expect(code, result);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var errors = lines.Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, result.Output);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Exception", result.Output, StringComparison.Ordinal);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, errors[0], StringComparison.Ordinal);
        }

        return errors[0];
    }

    /// <summary>A copy of the dataset, for a test that changes its files.</summary>
    public string CopyData(string name)
    {
        var target = Path.Combine(Root, name);
        foreach (var file in Directory.GetFiles(Data, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(Data, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return target;
    }

    /// <summary>Every file under <paramref name="folder"/> with its bytes, to show that nothing changed.</summary>
    public static Dictionary<string, string> Snapshot(string folder) => Directory.Exists(folder)
        ? Directory.GetFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .ToDictionary(f => f, f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal)
        : [];
}
