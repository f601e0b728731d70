using SegAN.Compute;
using SegAN.Data;

namespace SegAN.Server;

/// <summary>What every request shares: the models, loaded once, the image store and the inference queue.</summary>
internal sealed class ServerState : IDisposable
{
    private readonly List<ServedSegmentor> _models = [];

    public ServerState(ServeOptions options, Action<string> log)
    {
        Options = options.Validate();
        Log = log;
        var device = DeviceSpec.Parse(options.Device);
        try
        {
            foreach (var model in options.Models)
            {
                _models.Add(ServedSegmentor.Open(model, device, options.Threads));
            }

            var studies = options.StudiesDirectory is null
                ? []
                : DatasetDiscovery.Discover(new DirectoryInfo(options.StudiesDirectory), options.StudiesLayout!, requireLabels: false);
            Store = new ImageStore(options.UploadDirectory, studies, options.StudiesLayout);
            WorkDirectory = Directory.CreateTempSubdirectory("segan-serve-").FullName;
            Inference = new InferenceService(options.MaxConcurrentInferences, options.MaxWaitingInferences, WorkDirectory);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ServeOptions Options { get; }

    public Action<string> Log { get; }

    public IReadOnlyList<ServedSegmentor> Models => _models;

    public ImageStore Store { get; } = null!;

    public InferenceService Inference { get; } = null!;

    public string WorkDirectory { get; } = null!;

    /// <summary>The viewer page's recent label maps, for download.</summary>
    public ViewerResults ViewerResults { get; } = new();

    /// <summary>The model named <paramref name="name"/>, or a 404 listing the models.</summary>
    public ServedSegmentor Model(string? name) =>
        _models.FirstOrDefault(m => m.Model.Name == name)
        ?? throw new ServerException(404, $"model '{name}' not found; this server has {string.Join(", ", _models.Select(m => m.Model.Name))}");

    public void Dispose()
    {
        foreach (var model in _models)
        {
            model.Dispose();
        }

        Inference?.Dispose();
        if (WorkDirectory is not null && Directory.Exists(WorkDirectory))
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }
}
