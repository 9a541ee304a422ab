namespace Sandboxes;

/// <summary>Where a running sandbox's agent listens: on which host, and at which socket there.</summary>
/// <param name="SocketPath">The agent's Unix socket on the host that runs the container.</param>
/// <param name="Generation">Changes each time the container starts, so cached connections can be dropped.</param>
/// <param name="Host">The host whose engine runs the container: only that host's silo reaches the socket.</param>
[GenerateSerializer, Immutable, Alias("sandboxes.AgentEndpoint")]
public sealed record AgentEndpoint([property: Id(0)] string SocketPath, [property: Id(1)] string Generation, [property: Id(2)] string Host = "");
