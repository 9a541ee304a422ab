using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Cluster;

/// <summary>This silo's host: its name, and where other silos send calls for its sandboxes.</summary>
public sealed class LocalHost(IOptions<SandboxesOptions> options)
{
    /// <summary>Silo metadata keys: every silo publishes its host and addresses under them.</summary>
    public const string HostKey = "sandboxes.host";
    public const string GrpcKey = "sandboxes.grpc";
    public const string HttpKey = "sandboxes.http";

    public string Name { get; } = options.Value.ResolvedHostName;

    public string GrpcUrl { get; } = options.Value.ResolvedPeerGrpcUrl;

    public string HttpUrl { get; } = options.Value.ResolvedPeerHttpUrl;

    public bool Is(string? host) => string.Equals(host, Name, StringComparison.Ordinal);

    public static Dictionary<string, string> Metadata(SandboxesOptions options) => new()
    {
        [HostKey] = options.ResolvedHostName,
        [GrpcKey] = options.ResolvedPeerGrpcUrl,
        [HttpKey] = options.ResolvedPeerHttpUrl,
    };
}
