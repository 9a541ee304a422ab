namespace Sandboxes.Silo.Containers;

/// <summary>What the engine says about one sandbox's container; <paramref name="Sandbox"/> is null when its labels name none.</summary>
public sealed record SandboxContainer(string Id, SandboxKey? Sandbox, bool Running, DateTimeOffset Created);
