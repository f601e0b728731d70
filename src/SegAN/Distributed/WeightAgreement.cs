using System.Globalization;
using System.Security.Cryptography;
using TorchSharp;
using TorchSharp.Modules;

namespace SegAN.Distributed;

/// <summary>
/// Checks that data-parallel ranks still hold the same weights: a SHA-256 of every trainable parameter of the
/// segmentor and the critics (bit for bit), rank 0's broadcast and compared on each rank. Batch-norm running
/// statistics are left out on purpose: they are computed per rank from its own part of the batch.
/// </summary>
internal static class WeightAgreement
{
    /// <summary>The first 16 hex digits of the SHA-256 of <paramref name="parameters"/>, in order.</summary>
    public static string Fingerprint(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var noGrad = torch.no_grad();
        foreach (var p in parameters)
        {
            using var values = p.detach().cpu().contiguous();
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan()));
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    /// <summary>
    /// Collective: true on every rank when every rank's <see cref="Fingerprint"/> equals rank 0's; also returns rank
    /// 0's fingerprint.
    /// </summary>
    public static (bool Identical, string Fingerprint) Check(ICommunicator communicator, IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        var own = Fingerprint(parameters);
        var buffer = System.Text.Encoding.ASCII.GetBytes(own);
        communicator.Broadcast(buffer, 0);
        var root = System.Text.Encoding.ASCII.GetString(buffer);
        var differs = communicator.AllReduceMax(string.Equals(own, root, StringComparison.Ordinal) ? 0 : 1);
        return (differs == 0, root);
    }

    /// <summary>The log line for <see cref="Check"/>'s result.</summary>
    public static string Describe((bool Identical, string Fingerprint) check, int ranks) => check.Identical
        ? string.Create(CultureInfo.InvariantCulture, $"weights identical on all {ranks} ranks (sha256 {check.Fingerprint})")
        : string.Create(CultureInfo.InvariantCulture, $"WARNING: weights differ between the {ranks} ranks (rank 0: sha256 {check.Fingerprint}); the run is not data-parallel any more");
}
