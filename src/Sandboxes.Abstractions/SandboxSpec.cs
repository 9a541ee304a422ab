using System.Collections.Immutable;

namespace Sandboxes;

/// <summary>What a sandbox's container is made from. Fixed when the sandbox is created.</summary>
[GenerateSerializer, Immutable, Alias("sandboxes.SandboxSpec")]
public sealed record SandboxSpec
{
    [Id(0)] public required string Image { get; init; }
    [Id(1)] public required double Cpus { get; init; }
    [Id(2)] public required long MemoryBytes { get; init; }
    [Id(3)] public required int PidsLimit { get; init; }
    [Id(4)] public ImmutableDictionary<string, string> Env { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(5)] public ImmutableDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Disk the sandbox may add on top of its image; 0 (a record from before disk limits) means none.</summary>
    [Id(6)] public long DiskBytes { get; init; }
}
