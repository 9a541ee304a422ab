namespace Sandboxes.Silo.Cluster;

/// <summary>What a host last reported about itself (every few seconds), and whether an operator drains it.</summary>
public sealed record HostLoad
{
    public required string Name { get; init; }

    public int Running { get; init; }

    public int MaxRunning { get; init; }

    /// <summary>Every sandbox whose container is on the host, running or asleep.</summary>
    public int Sandboxes { get; init; }

    public long MemoryAvailableBytes { get; init; }

    public long MemoryTotalBytes { get; init; }

    public long DiskAvailableBytes { get; init; }

    public long DiskTotalBytes { get; init; }

    /// <summary>Set by `sbx hosts drain`: no new sandbox is placed here; the ones here stay.</summary>
    public bool Draining { get; init; }

    public DateTimeOffset Updated { get; init; }

    /// <summary>Below these a host takes no new sandbox, whatever its count says.</summary>
    public const long MinFreeMemoryBytes = 256L << 20;

    public const long MinFreeDiskBytes = 1L << 30;

    public bool Full => Running >= MaxRunning || MemoryAvailableBytes < MinFreeMemoryBytes || DiskAvailableBytes < MinFreeDiskBytes;

    /// <summary>Why a new sandbox does not go here, or null when it may.</summary>
    public string? Refusal =>
        Draining ? "draining"
        : Running >= MaxRunning ? $"full ({Running}/{MaxRunning} running)"
        : MemoryAvailableBytes < MinFreeMemoryBytes ? $"low on memory ({MemoryAvailableBytes >> 20} MiB free)"
        : DiskAvailableBytes < MinFreeDiskBytes ? $"low on disk ({DiskAvailableBytes >> 20} MiB free)"
        : null;
}
