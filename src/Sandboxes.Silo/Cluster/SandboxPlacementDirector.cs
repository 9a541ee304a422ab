using Orleans.Runtime.Placement;
using Sandboxes.Silo.Catalog;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// Places a sandbox's grain. An existing sandbox goes to its host's silo, always: its files and
/// processes are in that host's engine, and no other host may make it a new, empty container.
/// When that silo is not in the cluster, the call fails with UNAVAILABLE naming the host.
/// A new sandbox goes to a host with room, chosen at random weighted by free capacity, or to
/// the host the caller asked for (<see cref="HostHintKey"/>) when that one has room.
/// </summary>
public sealed class SandboxPlacementDirector(SandboxCatalogTable catalog, ClusterHosts hosts, HostReports reports) : IPlacementDirector
{
    /// <summary>The request-context key of a host hint (`sbx create --host`), honoured for new sandboxes only.</summary>
    public const string HostHintKey = "sandboxes.host";

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        if (!SandboxKey.TryParseGrainKey(target.GrainIdentity.Key.ToString(), out var sandbox))
        {
            // The grain refuses a key no API makes; where it does so does not matter.
            return context.LocalSilo;
        }

        var compatible = context.GetCompatibleSilos(target);
        var (exists, home) = await catalog.FindHostAsync(sandbox.Tenant, sandbox.Name);
        if (exists)
        {
            if (home is null)
            {
                return context.LocalSilo;
            }

            return hosts.Find(home) is { } host && compatible.Contains(host.Silo)
                ? host.Silo
                : throw HostDown(sandbox, home);
        }

        var hint = target.RequestContextData?.GetValueOrDefault(HostHintKey) as string;
        var chosen = Choose(hosts.Active().Where(h => compatible.Contains(h.Silo)).ToList(), hint);
        reports.CountPlacement(chosen.Name);
        return chosen.Silo;
    }

    public static SandboxException HostDown(SandboxKey sandbox, string host) =>
        new(SandboxError.Unavailable, $"sandbox '{sandbox.Name}' lives on host '{host}', whose silo is not in the cluster now (it stopped or lost contact); its files wait there. Retry when the host is back");

    private ClusterHost Choose(List<ClusterHost> active, string? hint)
    {
        if (hint is not null)
        {
            var hinted = active.FirstOrDefault(h => h.Name == hint)
                ?? throw new SandboxException(SandboxError.InvalidArgument, $"no host named '{hint}' is in the cluster now; hosts: {string.Join(", ", active.Select(h => h.Name).Order())}");
            if (reports.Find(hint) is not { Refusal: not null })
            {
                return hinted;
            }
        }

        // A host that has not reported yet (it just joined) is left out while others have room.
        var open = active.Select(h => (Host: h, Load: reports.Find(h.Name))).Where(c => c.Load is { Refusal: null }).ToList();
        if (open.Count == 0)
        {
            if (active.Count > 0 && active.All(h => reports.Find(h.Name) is null))
            {
                return active.FirstOrDefault(h => h.Silo.Equals(hosts.Local.Silo)) ?? active[0];
            }

            var reasons = active.Select(h => $"{h.Name} {reports.Find(h.Name)?.Refusal ?? "has not reported its load yet"}");
            throw new SandboxException(SandboxError.ResourceExhausted, $"no host has room for a new sandbox ({string.Join("; ", reasons)}); retry later, stop idle sandboxes, or add hosts");
        }

        // Weighted by free slots and free memory, so a burst spreads rather than piling on one host.
        var weights = open.Select(c => Math.Max(1e-3, (double)(c.Load!.MaxRunning - c.Load.Running) / c.Load.MaxRunning * c.Load.MemoryAvailableBytes / Math.Max(1, c.Load.MemoryTotalBytes))).ToArray();
        var pick = Random.Shared.NextDouble() * weights.Sum();
        for (var i = 0; i < open.Count; i++)
        {
            pick -= weights[i];
            if (pick <= 0)
            {
                return open[i].Host;
            }
        }

        return open[^1].Host;
    }
}
