using System.Collections.Concurrent;
using System.Diagnostics;
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

    /// <summary>
    /// How long a sandbox's host is remembered without asking its grain again. A sandbox stays on
    /// its host while it exists; a call that lands wrong after a destroy and re-create elsewhere
    /// answers UNAVAILABLE (retry) at worst, and only within this time.
    /// </summary>
    public static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(5);

    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<SandboxKey, (string Host, long At)> _remembered = new();

    public async Task<SandboxRoute> FindAsync(SandboxKey sandbox, CancellationToken cancellationToken)
    {
        if (_remembered.TryGetValue(sandbox, out var known) && Stopwatch.GetElapsedTime(known.At) < RememberFor && Route(known.Host, sandbox) is { Refusal: null } fresh)
        {
            return fresh;
        }

        var found = await LocateOrRefuseAsync(sandbox, cancellationToken);
        if (found.Refusal is null)
        {
            if (_remembered.Count >= MaxRemembered)
            {
                _remembered.Clear();
            }

            _remembered[sandbox] = (found.Owner?.Name ?? local.Name, Stopwatch.GetTimestamp());
        }

        return found;
    }

    private SandboxRoute Route(string home, SandboxKey sandbox) =>
        local.Is(home) ? SandboxRoute.Here
        : hosts.Find(home) is { } owner ? new SandboxRoute(owner, null)
        : new SandboxRoute(null, SandboxPlacementDirector.HostDown(sandbox, home));

    private async Task<SandboxRoute> LocateOrRefuseAsync(SandboxKey sandbox, CancellationToken cancellationToken)
    {
        var locate = grains.GetSandbox(sandbox).LocateAsync();
        string home;
        try
        {
            home = await LocateAsync(sandbox, locate, cancellationToken);
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

        return Route(home, sandbox);
    }

    /// <summary>
    /// The grain's answer, waited for up to <see cref="LocateTimeout"/> for a sandbox that
    /// exists. One not made yet lives nowhere that could be lost: its grain is only slow to
    /// start (a busy host), so the router waits for it.
    /// </summary>
    private async Task<string> LocateAsync(SandboxKey sandbox, Task<string> locate, CancellationToken cancellationToken)
    {
        try
        {
            return await locate.WaitAsync(LocateTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            if ((await catalog.FindHostAsync(sandbox.Tenant, sandbox.Name, cancellationToken)).Exists)
            {
                throw;
            }

            return await locate.WaitAsync(cancellationToken);
        }
    }
}
