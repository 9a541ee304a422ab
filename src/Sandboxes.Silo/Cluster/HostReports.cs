using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Containers;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// Every few seconds, reports this host's load (running sandboxes, free memory and disk) to the
/// host table and reads every host's report, for placement and `sbx hosts`. Between reads it
/// counts the sandboxes this silo itself placed on each host, so a burst of creates spreads
/// over hosts instead of all landing on the one that looked emptiest a moment ago. A
/// placement counts for two report intervals, whatever the reports say meanwhile: one made
/// while a report was being measured may not show in it yet, so the count errs on the full side.
/// </summary>
public sealed partial class HostReports(HostTable table, SandboxContainers containers, LocalHost local, IOptions<SandboxesOptions> options, TimeProvider time, ILogger<HostReports> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<(string Host, long At)> _placements = new();
    private FrozenDictionary<string, HostLoad> _latest = FrozenDictionary<string, HostLoad>.Empty;

    /// <summary>Each host's last report, with the sandboxes this silo placed there lately.</summary>
    public HostLoad? Find(string host)
    {
        if (!_latest.TryGetValue(host, out var load))
        {
            return null;
        }

        var placed = _placements.Count(p => p.Host == host && time.GetElapsedTime(p.At) < 2 * Interval);
        return load with { Running = load.Running + placed };
    }

    public void CountPlacement(string host) => _placements.Enqueue((host, time.GetTimestamp()));

    /// <summary>Reports and reads now, rather than at the next tick (after a drain, say).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await table.ReportAsync(await MeasureAsync(cancellationToken), cancellationToken);
        var loads = await table.ListAsync(cancellationToken);
        _latest = loads.ToFrozenDictionary(l => l.Name, StringComparer.Ordinal);
        while (_placements.TryPeek(out var oldest) && time.GetElapsedTime(oldest.At) >= 2 * Interval)
        {
            _placements.TryDequeue(out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReportFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<HostLoad> MeasureAsync(CancellationToken cancellationToken)
    {
        var owned = await containers.ListOwnedAsync(cancellationToken);
        var (memoryAvailable, memoryTotal) = ReadMemory();

        // Containers write to the engine's own filesystem when it has one (see .ci/prepare-host.sh engine).
        var engineData = Path.Combine(options.Value.DataRoot, "engine", "data");
        var disk = new DriveInfo(MountPointOf(Directory.Exists(engineData) ? engineData : options.Value.DataRoot));
        return new HostLoad
        {
            Name = local.Name,
            Running = owned.Count(c => c.Running),
            Sandboxes = owned.Count,
            MaxRunning = options.Value.MaxRunningSandboxes,
            MemoryAvailableBytes = memoryAvailable,
            MemoryTotalBytes = memoryTotal,
            DiskAvailableBytes = disk.AvailableFreeSpace,
            DiskTotalBytes = disk.TotalSize,
            Updated = time.GetUtcNow(),
        };
    }

    /// <summary>The mount point whose filesystem holds <paramref name="path"/> (DriveInfo takes mount points only).</summary>
    private static string MountPointOf(string path)
    {
        var full = Path.GetFullPath(path);
        return File.ReadLines("/proc/self/mounts")
            .Select(line => line.Split(' ')[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(mount => full == mount || full.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal))
            .MaxBy(mount => mount.Length) ?? "/";
    }

    private static (long Available, long Total) ReadMemory()
    {
        long available = 0, total = 0;
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], out var kib))
            {
                if (parts[0] == "MemAvailable:")
                {
                    available = kib << 10;
                }
                else if (parts[0] == "MemTotal:")
                {
                    total = kib << 10;
                }
            }
        }

        return (available, total);
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not report this host's load or read the other hosts'; placement uses the last reports")]
    private static partial void ReportFailed(ILogger logger, Exception exception);
}
