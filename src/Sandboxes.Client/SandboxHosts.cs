using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>The cluster's hosts, for admin keys only (others get PERMISSION_DENIED). Reached as <see cref="SandboxClient.Hosts"/>.</summary>
public sealed class SandboxHosts
{
    private readonly Hosts.HostsClient _hosts;

    internal SandboxHosts(Hosts.HostsClient hosts) => _hosts = hosts;

    /// <summary>Every host that reported, in name order, with its capacity and sandbox counts.</summary>
    public async Task<IReadOnlyList<HostInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        (await _hosts.ListAsync(new ListHostsRequest(), cancellationToken: cancellationToken)).Hosts;

    /// <summary>Stops placing new sandboxes on the host; the ones there stay.</summary>
    public async Task<HostInfo> DrainAsync(string name, CancellationToken cancellationToken = default) =>
        await _hosts.DrainAsync(new DrainHostRequest { Name = name }, cancellationToken: cancellationToken);

    /// <summary>Places new sandboxes on the host again.</summary>
    public async Task<HostInfo> UndrainAsync(string name, CancellationToken cancellationToken = default) =>
        await _hosts.UndrainAsync(new DrainHostRequest { Name = name }, cancellationToken: cancellationToken);
}
