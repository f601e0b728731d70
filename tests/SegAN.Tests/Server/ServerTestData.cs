using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using SegAN.Data;
using SegAN.Inference;
using SegAN.Models;
using SegAN.Persistence;
using SegAN.Server;
using TorchSharp;

namespace SegAN.Tests.Server;

/// <summary>
/// A studies folder of three 48^3 phantoms in the BraTS 2021 layout (Phantom001 labelled, 002 and 003 not) and two tiny
/// random models: "brats" on T1c, T2, FLAIR and "flair" on FLAIR alone. Shared by a test class; each test gets its own
/// upload folder.
/// </summary>
public sealed class ServerTestData : IDisposable
{
    public ServerTestData()
    {
        Root = Directory.CreateTempSubdirectory("segan-serve-tests-").FullName;
        Studies = Path.Combine(Root, "studies");
        PhantomGenerator.WriteDataset(new DirectoryInfo(Studies), 3, new PhantomOptions(Size: 48, Seed: 5));
        File.Delete(Path.Combine(Studies, "Phantom002", "Phantom002_seg.nii.gz"));
        File.Delete(Path.Combine(Studies, "Phantom003", "Phantom003_seg.nii.gz"));
        MultiModel = SaveModel(Path.Combine(Root, "brats.segan"), ["T1c", "T2", "FLAIR"], seed: 1);
        SingleModel = SaveModel(Path.Combine(Root, "flair.segan"), ["FLAIR"], seed: 2);
    }

    public string Root { get; }

    public string Studies { get; }

    public string MultiModel { get; }

    public string SingleModel { get; }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Server options over the studies with both models and a fresh upload folder.</summary>
    internal ServeOptions Options(int maxConcurrent = 1, int maxWaiting = 32, long maxUpload = ServeOptions.DefaultMaxUploadBytes) => new(
        [new ServedModel("brats", MultiModel), new ServedModel("flair", SingleModel)],
        Directory.CreateDirectory(Path.Combine(Root, $"uploads-{Guid.NewGuid():N}")).FullName,
        Studies,
        DatasetPresets.Layout(DatasetPreset.Brats2021, ["T1c", "T2", "FLAIR"]),
        Port: 0,
        Device: "cpu",
        Threads: 1,
        MaxUploadBytes: maxUpload,
        MaxConcurrentInferences: maxConcurrent,
        MaxWaitingInferences: maxWaiting);

    /// <summary>Every file of a folder with its hash: the store "unchanged" means this is equal.</summary>
    public static IReadOnlyDictionary<string, string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Sha256(File.ReadAllBytes(f)), StringComparer.Ordinal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open in a finishing server; the OS cleans the temp folder.
        }
    }

    private static string SaveModel(string path, string[] modalities, int seed)
    {
        torch.manual_seed(seed);
        var recipe = new InferenceRecipe(new PreprocessOptions(CropX: 40, CropY: 40, CropZ: 32), 32, LabelConvention.Brats2021);
        using var model = new RegionSegmentor(new SegANArchitecture(Variant.S3_3C, modalities.Length, 2, 4));
        model.eval();
        ModelFile.Save(path, model, new ModelMetadata(modalities, "brats2021", recipe.ToPreprocessingJson()));
        return path;
    }
}

/// <summary>The server in memory (ASP.NET's test host) with one set of options; its request log lines are kept.</summary>
internal sealed class ServerFactory(ServeOptions options) : WebApplicationFactory<ServerTestData>
{
    public ConcurrentQueue<string> Log { get; } = new();

    public ServeOptions Options { get; } = options;

    protected override IHostBuilder CreateHostBuilder() => SegANServer.CreateHostBuilder(Options, Log.Enqueue);

    // The server serves no content files; without this the factory looks for a project folder beside the solution.
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);
}
