using SegAN.Compute;
using SegAN.Data;

namespace SegAN.Server;

/// <summary>A model the server offers, under the name the client shows (<c>NAME=PATH</c> on the command line).</summary>
public sealed record ServedModel(string Name, string Path)
{
    /// <summary>
    /// Parses <c>NAME=PATH</c> or <c>PATH</c>. Without a name, a model is named after its file without the extension,
    /// except a run folder's <c>model.segan</c>, which is named after its folder (every run's file has that name).
    /// </summary>
    public static ServedModel Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var path = System.IO.Path.GetFullPath(eq < 0 ? text : text[(eq + 1)..]);
        string name;
        if (eq >= 0)
        {
            name = text[..eq].Trim();
        }
        else
        {
            name = System.IO.Path.GetFileNameWithoutExtension(path);
            if (string.Equals(name, "model", StringComparison.OrdinalIgnoreCase)
                && System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path)) is { Length: > 0 } folder)
            {
                name = folder;
            }
        }

        if (!ImageId.IsValid(name))
        {
            throw new SegANException($"--model '{text}': the name '{name}' must be letters, digits, '.', '_' or '-' (give NAME=PATH)");
        }

        return File.Exists(path) ? new ServedModel(name, path) : throw new SegANException($"--model {path}: file not found");
    }
}

/// <summary>Options of <c>segan serve</c>.</summary>
/// <param name="Models">The models offered, at least one, names unique.</param>
/// <param name="UploadDirectory">Where uploaded images are stored (created when missing).</param>
/// <param name="StudiesDirectory">A dataset folder whose cases are offered by ID; null for none.</param>
/// <param name="StudiesLayout">How the studies' files are named (modalities in channel order); required with a studies folder.</param>
/// <param name="Host">The address to listen on. Default 127.0.0.1 (this machine only).</param>
/// <param name="Port">The TCP port; 0 picks a free one. Default 8000.</param>
/// <param name="Device">Where the torch engine computes. Default auto.</param>
/// <param name="Threads">CPU threads for inference; 0 uses one per core. Default 0.</param>
/// <param name="MaxUploadBytes">The largest request body accepted (an upload's image plus the form around it). Default 1 GiB.</param>
/// <param name="MaxConcurrentInferences">Inferences run at once. Default 1 (a CPU run already uses every core).</param>
/// <param name="MaxWaitingInferences">Inference requests that may wait for a free run; more get 503 with Retry-After. Default 32.</param>
public sealed record ServeOptions(
    IReadOnlyList<ServedModel> Models,
    string UploadDirectory,
    string? StudiesDirectory = null,
    DatasetLayout? StudiesLayout = null,
    string Host = "127.0.0.1",
    int Port = 8000,
    string Device = "auto",
    int Threads = 0,
    long MaxUploadBytes = ServeOptions.DefaultMaxUploadBytes,
    int MaxConcurrentInferences = 1,
    int MaxWaitingInferences = 32)
{
    /// <summary>1 GiB: a 240x240x155 float32 volume is 36 MB uncompressed, so this leaves room for large scans.</summary>
    public const long DefaultMaxUploadBytes = 1L << 30;

    /// <summary>Throws a <see cref="SegANException"/> naming the first bad value.</summary>
    public ServeOptions Validate()
    {
        if (Models is null || Models.Count == 0)
        {
            throw new SegANException("give at least one --model");
        }

        var duplicate = Models.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SegANException($"--model: two models are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(m => m.Path))}); name them with NAME=PATH");
        }

        if (StudiesDirectory is not null && StudiesLayout is null)
        {
            throw new SegANException($"--studies {StudiesDirectory}: no dataset layout (give --preset or --modality NAME=GLOB)");
        }

        if (Port is < 0 or > 65535)
        {
            throw new SegANException($"--port {Port} must be between 0 and 65535");
        }

        if (MaxUploadBytes < 1024)
        {
            throw new SegANException($"--max-upload {MaxUploadBytes} bytes is too small for any image (at least 1024)");
        }

        if (MaxConcurrentInferences < 1 || MaxWaitingInferences < 0)
        {
            throw new SegANException($"--concurrency {MaxConcurrentInferences} and --queue {MaxWaitingInferences} must be at least 1 and 0");
        }

        _ = DeviceSpec.Parse(Device);
        return this;
    }
}
