using Orleans.Placement;

namespace Sandboxes.Silo.Cluster;

/// <summary>A sandbox's grain goes to the silo of the host that holds its container (<see cref="SandboxPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SandboxPlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SandboxPlacementAttribute() : PlacementAttribute(new SandboxPlacement());
