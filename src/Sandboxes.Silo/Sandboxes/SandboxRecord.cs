namespace Sandboxes.Silo.Sandboxes;

/// <summary>What survives a silo restart about one sandbox (Azure Table storage).</summary>
[GenerateSerializer, Alias("sandboxes.SandboxRecord")]
public sealed class SandboxRecord
{
    [Id(0)] public SandboxSpec? Spec { get; set; }
    [Id(1)] public SleepPolicy SleepPolicy { get; set; } = SleepPolicy.Default;
    [Id(2)] public DateTimeOffset Created { get; set; }
    [Id(3)] public DateTimeOffset LastActive { get; set; }
    [Id(4)] public SandboxStatus Status { get; set; } = SandboxStatus.Sleeping;
    [Id(5)] public List<ExposedPort> ExposedPorts { get; set; } = [];

    /// <summary>Set, with everything else empty, once the sandbox was destroyed: preview URLs then answer 410.</summary>
    [Id(6)] public DateTimeOffset? DestroyedAt { get; set; }

    /// <summary>
    /// The host whose engine holds the sandbox's container. Its grain lives on that host's silo
    /// (<see cref="Cluster.SandboxPlacementDirector"/>), and no other host ever makes it a container.
    /// Null in records written before hosts were recorded: the first host to start it adopts it.
    /// </summary>
    [Id(7)] public string? Host { get; set; }
}
