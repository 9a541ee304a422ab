using Sandboxes.Silo.Catalog;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Cluster;

/// <summary>Where a request for a sandbox is served: here, by another host's silo, or nowhere now (and why).</summary>
public sealed record SandboxRoute(ClusterHost? Owner, SandboxException? Refusal)
{
    public static SandboxRoute Here { get; } = new(null, null);

    public bool IsHere => Owner is null && Refusal is null;
}

/// <summary>
/// Finds the host of a sandbox for the router (<see cref="CallRouter"/>) and the terminal
/// WebSocket: the sandbox's grain says (it lives on that host's silo), and when the grain's
/// silo died without Orleans noticing yet, the catalog does.
/// </summary>
public sealed class SandboxRouting(ClusterHosts hosts, LocalHost local, IGrainFactory grains, SandboxCatalogTable catalog)
{
    /// <summary>How long to wait for the grain to answer; a dead host's grain may not answer at all.</summary>
    public static readonly TimeSpan LocateTimeout = TimeSpan.FromSeconds(4);

    /// <summary>False in a one-host cluster: every sandbox is then this host's.</summary>
    public bool Needed => !hosts.Alone;

    public async Task<SandboxRoute> FindAsync(SandboxKey sandbox, CancellationToken cancellationToken)
    {
        string home;
        try
        {
            home = await grains.GetSandbox(sandbox).LocateAsync().WaitAsync(LocateTimeout, cancellationToken);
        }
        catch (SandboxException e)
        {
            return new SandboxRoute(null, e);
        }
        catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
        {
            var (_, recorded) = await catalog.FindHostAsync(sandbox.Tenant, sandbox.Name, cancellationToken);
            return new SandboxRoute(null, SandboxPlacementDirector.HostDown(sandbox, recorded ?? "unknown"));
        }

        if (local.Is(home))
        {
            return SandboxRoute.Here;
        }

        return hosts.Find(home) is { } owner ? new SandboxRoute(owner, null) : new SandboxRoute(null, SandboxPlacementDirector.HostDown(sandbox, home));
    }
}
