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
}
