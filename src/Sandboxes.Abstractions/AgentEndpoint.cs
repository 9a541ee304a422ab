namespace Sandboxes;

/// <summary>Where the silo reaches a running sandbox's agent.</summary>
/// <param name="SocketPath">The agent's Unix socket on the host that runs the container.</param>
/// <param name="Generation">Changes each time the container starts, so cached connections can be dropped.</param>
[GenerateSerializer, Immutable, Alias("sandboxes.AgentEndpoint")]
public sealed record AgentEndpoint([property: Id(0)] string SocketPath, [property: Id(1)] string Generation);
