using System.Diagnostics;
using SegAN.Cli;
using SegAN.Data;
using SegAN.Imaging;
using SegAN.Inference;
using static SegAN.Tests.Cli.HostileCliFixture;

namespace SegAN.Tests.Cli;

/// <summary>
/// Issue 15, class 1: no stack trace, ever. Output paths that cannot be written are found before any work, with
/// one line naming the option and the path and exit code 2, and nothing is left behind; an exception of any type
/// in one case of a predict batch is reported and the other cases still run.
/// </summary>
[Collection(HostileCliCollection.Name)]
public sealed class OutputPathCommandTests(HostileCliFixture fixture)
{
    private string NewFile(string name)
    {
        var path = Path.Combine(fixture.Root, name);
        File.WriteAllText(path, "keep me");
        return path;
    }

    [Fact]
    public void Commands_GivenAnExistingFileAsAnOutputFolder_SayIt_AndExit2()
    {
        // Given an existing file, given where each command expects an output folder
        var file = NewFile("a-file");
        var cases = new[]
        {
            (Args: new[] { "predict", "-m", fixture.Model, "-i", fixture.Data, "-o", file }, Option: "--out"),
            (["train", "--data", fixture.Data, "--out", file, "--steps", "1", "--batch", "2", "--depth", "1", "--critic-depth", "1", "--width", "2", "--slice-size", "16", "--crop", "24x24x16"], "--out"),
            (["synth", "--out", file, "--cases", "1", "--size", "32"], "--out"),
            (["evaluate", "--pred", fixture.Data, "--truth", fixture.Data, "-o", file], "--out"),
            (["export", "-m", fixture.Model, "--triton", file], "--triton"),
        };

        foreach (var (args, option) in cases)
        {
            // When the command runs, then one line names the option, the path and the problem; the file is untouched
            OneLineError(Segan(args), ExitCodes.Usage, option, file, "is an existing file");
            Assert.Equal("keep me", File.ReadAllText(file));
        }
    }

    [Fact]
    public void Commands_GivenAPathInsideProc_OrUnderAFile_OrAFolderAsAFile_SayIt_AndExit2()
    {
        var file = NewFile("plain");
        OneLineError(Segan("export", "-m", fixture.Model, "-o", "/proc/self/x.onnx"), ExitCodes.Usage, "--output", "/proc", "virtual file system");
        OneLineError(Segan("predict", "-m", fixture.Model, "-i", fixture.Data, "-o", "/proc/out"), ExitCodes.Usage, "--out", "/proc");
        OneLineError(Segan("synth", "--out", "/sys/fs/x", "--size", "32"), ExitCodes.Usage, "--out", "/sys");
        OneLineError(Segan("export", "-m", fixture.Model, "-o", fixture.Root), ExitCodes.Usage, "--output", "is an existing folder");
        OneLineError(Segan("export", "-m", fixture.Model, "-o", Path.Combine(file, "x.onnx")), ExitCodes.Usage, file, "is a file");
        OneLineError(Segan("train", "--data", fixture.Data, "--out", Path.Combine(file, "run"), "--steps", "1"), ExitCodes.Usage, "--out", "is a file");
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [SkippableFact]
    public void Commands_OnAReadOnlyOrFullDisk_SayIt_AndLeaveNothing()
    {
        // Given a read-only file system and a full one (small tmpfs mounts; skipped where mounting is not allowed)
        using var readOnly = Mount.TryTmpfs(Path.Combine(fixture.Root, "ro"), "ro,size=1m");
        using var full = Mount.TryTmpfs(Path.Combine(fixture.Root, "full"), "size=64k");
        Skip.If(readOnly is null || full is null, "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
        Mount.Fill(full.Path);

        // When predict, synth and export write there, then each says which path cannot be written and why
        OneLineError(Segan("predict", "-m", fixture.Model, "-i", fixture.Data, "-o", Path.Combine(readOnly.Path, "out")), ExitCodes.Usage, "--out", "cannot write", "Read-only file system");
        OneLineError(Segan("synth", "--out", Path.Combine(full.Path, "data"), "--cases", "1", "--size", "32"), ExitCodes.Usage, "--out", "cannot write", "No space left on device");
        OneLineError(Segan("export", "-m", fixture.Model, "-o", Path.Combine(full.Path, "m.onnx")), ExitCodes.Usage, "--output", "No space left on device");

        // And nothing was left there
        Assert.Empty(Directory.GetFileSystemEntries(readOnly.Path));
        Assert.Equal(["filler"], Directory.GetFileSystemEntries(full.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Predict_OneCaseWithAnOverflowingHeader_IsReported_AndTheOthersAreWritten()
    {
        // Given a copy of the dataset whose second case's FLAIR claims dims that multiply past 64 bits
        var data = fixture.CopyData("data-overflow");
        var t1 = Path.Combine(data, "Phantom002", "Phantom002_flair.nii.gz");
        File.WriteAllBytes(t1, NiftiClaiming([3, 1L << 40, 1L << 40, 1L << 40]));
        var output = Path.Combine(fixture.Root, "pred-overflow");

        // When the batch is segmented
        var (code, text) = Segan("predict", "-m", fixture.Model, "-i", data, "-o", output);

        // Then the two good cases are written, the bad one is one line naming its file, and the exit code is 1
        Assert.True(code == ExitCodes.Failed, text);
        Assert.Equal(["Phantom001_seg.nii.gz", "Phantom003_seg.nii.gz"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains($"failed: Phantom002: {t1}", text, StringComparison.Ordinal);
        Assert.Contains("64 bits", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DatasetPredictor_AnyExceptionTypeInACase_FailsThatCaseOnly()
    {
        // Given an engine that throws a different non-SegAN exception for each case
        var info = SegmentationModelInfo.Read(fixture.Model);
        var cases = DatasetDiscovery.Discover(new DirectoryInfo(fixture.Data), DatasetPresets.Layout(DatasetPreset.Brats2021, info.Modalities), requireLabels: false);
#pragma warning disable CA2201 // The runtime's own exception types are the point: they must not abort the batch.
        using var engine = new ThrowingEngine(info, [new OverflowException("Arithmetic operation resulted in an overflow."), new OutOfMemoryException(), new IOException("No space left on device : '/x'", 28)]);
#pragma warning restore CA2201
        var predictor = new CasePredictor(engine, InferenceRecipe.From(info.Header, fixture.Model), new PredictOptions());
        var output = Path.Combine(fixture.Root, "pred-throwing");

        // When the batch runs
        var results = DatasetPredictor.Run(predictor, [.. cases.Take(3)], output, new PredictOptions());

        // Then every case ran and failed with its own one-line reason
        Assert.Equal([CaseOutcome.Failed, CaseOutcome.Failed, CaseOutcome.Failed], results.Select(r => r.Outcome));
        Assert.StartsWith("a size or value overflowed", results[0].Error, StringComparison.Ordinal);
        Assert.StartsWith("out of memory", results[1].Error, StringComparison.Ordinal);
        Assert.StartsWith("disk full", results[2].Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output));
    }

    [Theory]
    [InlineData(typeof(UnauthorizedAccessException), true, "permission denied")]
    [InlineData(typeof(DirectoryNotFoundException), true, "I/O error")]
    [InlineData(typeof(OutOfMemoryException), false, "out of memory")]
    [InlineData(typeof(OverflowException), false, "overflowed")]
    [InlineData(typeof(InvalidOperationException), false, "InvalidOperationException")]
    public void ErrorReport_MapsEveryExceptionToOneLine_AndAnExitClass(Type type, bool userError, string fragment)
    {
        var e = (Exception)Activator.CreateInstance(type, "line one\nline two '/data/x'")!;

        Assert.Equal(userError, ErrorReport.IsUserError(e));
        var line = ErrorReport.OneLine(e);
        Assert.Contains(fragment, line, StringComparison.Ordinal);
        Assert.Contains("line one line two '/data/x'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_PrintsItsSizeAsANumber()
    {
        var onnx = Path.Combine(fixture.Root, "size.onnx");
        var (code, text) = Segan("export", "-m", fixture.Model, "-o", onnx);

        Assert.True(code == ExitCodes.Ok, text);
        Assert.Matches(@", [0-9]+\.[0-9] KiB", text);
        Assert.DoesNotContain("F1", text, StringComparison.Ordinal);
    }

    internal static byte[] NiftiClaiming(long[] dims)
    {
        using var dir = new Imaging.TempDir();
        var path = dir.File("x.nii");
        NiftiFile.Write(path, new Volume(new float[8], ImageGeometry.FromSpacing([2, 2, 2], [1, 1, 1])), NiftiDataType.Int16, NiftiVersion.Nifti2);
        var bytes = File.ReadAllBytes(path);
        for (var i = 0; i < dims.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16 + (8 * i)), dims[i]);
        }

        return bytes;
    }

    private sealed class ThrowingEngine(SegmentationModelInfo model, Exception[] errors) : ISegmentationEngine
    {
        private int _next;

        public string Name => "throwing";

        public SegmentationModelInfo Model => model;

        public float[] PredictRegions(float[] images, int n, int c, int h, int w) => throw errors[_next++ % errors.Length];

        public void Dispose()
        {
        }
    }
}

/// <summary>A tmpfs mounted for a test and unmounted at dispose; null where mounting is not allowed.</summary>
internal sealed class Mount : IDisposable
{
    private Mount(string path) => Path = path;

    public string Path { get; }

    public static Mount? TryTmpfs(string path, string options)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Directory.CreateDirectory(path);
        return Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path) == 0 ? new Mount(path) : null;
    }

    /// <summary>Fills the file system with one file until it is full.</summary>
    public static void Fill(string path)
    {
        // Unbuffered: the write that fails leaves nothing to flush at dispose.
        using var filler = new FileStream(System.IO.Path.Combine(path, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(block);
                filler.Flush(flushToDisk: true);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    public void Dispose()
    {
        Run("umount", Path);
    }

    private static int Run(string program, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HostileCliCollection : ICollectionFixture<HostileCliFixture>
{
    public const string Name = "hostile-cli";
}
