namespace Sandboxes;

/// <summary>A description of one sandbox, as returned to callers.</summary>
[GenerateSerializer, Immutable, Alias("sandboxes.SandboxView")]
public sealed record SandboxView
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required SandboxStatus Status { get; init; }
    [Id(2)] public required SandboxSpec Spec { get; init; }
    [Id(3)] public required SleepPolicy SleepPolicy { get; init; }
    [Id(4)] public required DateTimeOffset Created { get; init; }
    [Id(5)] public required DateTimeOffset LastActive { get; init; }

    /// <summary>The host whose engine runs the sandbox (null only for sandboxes made before hosts were recorded).</summary>
    [Id(6)] public string? Host { get; init; }
}
