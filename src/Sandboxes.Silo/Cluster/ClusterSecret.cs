using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// The secret all silos of a cluster share. A silo forwarding a call to another sends it; the
/// receiving silo accepts the call as forwarded (it serves it itself, never forwards it again)
/// only with the right secret. Clients never have it. It comes from Sandboxes:ClusterSecret,
/// Sandboxes:ClusterSecretFile, or a file the silo makes in its data root (one host only).
/// </summary>
public sealed class ClusterSecret
{
    private readonly byte[] _hash;

    public ClusterSecret(IOptions<SandboxesOptions> options)
    {
        Value = Load(options.Value);
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(Value));
    }

    public string Value { get; }

    /// <summary>Compares in constant time (as hashes, so lengths leak nothing either).</summary>
    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    private static string Load(SandboxesOptions options)
    {
        if (!string.IsNullOrEmpty(options.ClusterSecret))
        {
            return Checked(options.ClusterSecret, "Sandboxes:ClusterSecret");
        }

        var file = options.ClusterSecretFile ?? Path.Combine(options.DataRoot, "cluster.secret");
        if (options.ClusterSecretFile is null && !File.Exists(file))
        {
            Directory.CreateDirectory(options.DataRoot);
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Encoding.ASCII);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return Checked(File.ReadAllText(file).Trim(), file);
    }

    private static string Checked(string secret, string source) =>
        secret.Length >= 16 && secret.All(c => c is > ' ' and < (char)127)
            ? secret
            : throw new InvalidOperationException($"the cluster secret in {source} must be at least 16 printable ASCII characters (for example 32 random bytes in base64)");
}
