using System.Text.Json;
using System.Text.Json.Serialization;
using SegAN.Models;
using SegAN.Persistence;
using TorchSharp;

namespace SegAN.Training;

/// <summary>The resumable state of a run besides the networks and optimisers (the JSON header of <c>last.ckpt</c>).</summary>
/// <param name="Step">Steps done, which is also the number of batches consumed from the batch source.</param>
/// <param name="Seconds">Training time so far, over all sessions.</param>
/// <param name="BestDice">Best mean validation Dice so far (NaN-free; -1 before any validation).</param>
/// <param name="BestStep">Step of the best model (0 before any validation).</param>
/// <param name="Architecture">The networks' architecture, checked on resume.</param>
/// <param name="Options">The options of the run that wrote the checkpoint.</param>
/// <param name="TorchRngState">torch's default generator state, base64.</param>
/// <param name="Settings">The data side of the run (see <see cref="TrainingInputs.Settings"/>), checked on resume; null in older checkpoints.</param>
public sealed record CheckpointState(
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("best_dice")] double BestDice,
    [property: JsonPropertyName("best_step")] long BestStep,
    [property: JsonPropertyName("architecture")] SegANArchitecture Architecture,
    [property: JsonPropertyName("options")] TrainOptions Options,
    [property: JsonPropertyName("torch_rng_state")] string TorchRngState,
    [property: JsonPropertyName("settings")] IReadOnlyDictionary<string, string>? Settings = null);

/// <summary>
/// <c>last.ckpt</c>: everything needed to continue a run exactly: <see cref="CheckpointState"/> as the JSON header,
/// then segmentor and critic weights (with batch-norm statistics) and both optimisers' states. Container layout:
/// <see cref="SegANContainer"/> (kind 'C'); written atomically, so a crash leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    /// <summary>The checkpoint's name in a run folder.</summary>
    public const string FileName = "last.ckpt";

    /// <summary>The version this build writes (and the newest it reads).</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes the trainer's state and <paramref name="state"/> (its RNG field is filled here).</summary>
    public static void Save(string path, AdversarialTrainer trainer, CheckpointState state)
    {
        using var rng = torch.random.get_rng_state();
        var full = state with { TorchRngState = Convert.ToBase64String(rng.data<byte>().ToArray()) };
        SegANContainer.Write(path, 'C', FormatVersion, JsonSerializer.Serialize(full, JsonDefaults.Indented), trainer.SaveState);
    }

    /// <summary>Reads the header only.</summary>
    public static CheckpointState ReadState(string path)
    {
        var (json, reader) = SegANContainer.Open(path, 'C', FormatVersion, "SegAN.NET checkpoint");
        using (reader)
        {
            return Parse(path, json);
        }
    }

    /// <summary>
    /// Restores weights and optimiser states into <paramref name="trainer"/> (same architecture, else a
    /// <see cref="SegANException"/>) and torch's generator state; returns the header.
    /// </summary>
    public static CheckpointState Load(string path, AdversarialTrainer trainer)
    {
        var (json, reader) = SegANContainer.Open(path, 'C', FormatVersion, "SegAN.NET checkpoint");
        using (reader)
        {
            var state = Parse(path, json);
            if (state.Architecture != trainer.Architecture)
            {
                throw new SegANException($"{path}: the checkpoint's networks ({state.Architecture}) differ from this run's ({trainer.Architecture}); resume with the same variant, depth, width and modalities.");
            }

            try
            {
                trainer.LoadState(reader);
            }
            catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
            {
                throw new SegANException($"{path}: truncated or corrupt checkpoint: {e.Message}", e);
            }

            var bytes = Convert.FromBase64String(state.TorchRngState);
            using var rng = torch.tensor(bytes);
            torch.random.set_rng_state(rng);
            return state;
        }
    }

    private static CheckpointState Parse(string path, string json)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointState>(json, JsonDefaults.Indented)
                ?? throw new SegANException($"{path}: empty checkpoint header.");
        }
        catch (JsonException e)
        {
            throw new SegANException($"{path}: unreadable checkpoint header: {e.Message}", e);
        }
    }
}
