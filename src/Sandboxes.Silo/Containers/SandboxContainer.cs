namespace Sandboxes.Silo.Containers;

/// <summary>What the engine says about one sandbox's container.</summary>
public sealed record SandboxContainer(string Id, string SandboxName, bool Running, DateTimeOffset Created);
