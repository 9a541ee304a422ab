using System.Collections.Immutable;

namespace Sandboxes;

/// <summary>One page of a sandbox listing. Environment values are never in it, only names (with empty values).</summary>
[GenerateSerializer, Immutable, Alias("sandboxes.SandboxPage")]
public sealed record SandboxPage
{
    [Id(0)] public required ImmutableArray<SandboxView> Sandboxes { get; init; }

    /// <summary>Where the next page starts; null on the last page.</summary>
    [Id(1)] public string? NextPageToken { get; init; }
}
