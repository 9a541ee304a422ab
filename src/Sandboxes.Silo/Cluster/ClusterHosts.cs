using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// The hosts whose silos are active now, from Orleans membership and the metadata each silo
/// publishes (<see cref="LocalHost.Metadata"/>). A silo that died, or whose metadata has not
/// arrived yet, is not among them.
/// </summary>
public sealed class ClusterHosts(IClusterMembershipService membership, ISiloMetadataCache metadata, LocalHost local, ILocalSiloDetails silo)
{
    public IReadOnlyList<ClusterHost> Active()
    {
        var hosts = new List<ClusterHost>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && Describe(member.SiloAddress) is { } host)
            {
                hosts.Add(host);
            }
        }

        return hosts;
    }

    /// <summary>The active host named <paramref name="name"/>, or null when its silo is not in the cluster now.</summary>
    public ClusterHost? Find(string name) =>
        local.Is(name) ? Local : Active().FirstOrDefault(h => h.Name == name);

    public ClusterHost Local => new(local.Name, silo.SiloAddress, local.GrpcUrl, local.HttpUrl);

    /// <summary>True when no other silo is in the cluster: every sandbox is then this host's, and calls need no routing.</summary>
    public bool Alone => membership.CurrentSnapshot.Members.Values.All(m => m.SiloAddress.Equals(silo.SiloAddress) || m.Status is SiloStatus.Dead);

    private ClusterHost? Describe(SiloAddress address)
    {
        if (address.Equals(silo.SiloAddress))
        {
            return Local;
        }

        var found = metadata.GetSiloMetadata(address).Metadata;
        return found.TryGetValue(LocalHost.HostKey, out var name) && found.TryGetValue(LocalHost.GrpcKey, out var grpc) && found.TryGetValue(LocalHost.HttpKey, out var http)
            ? new ClusterHost(name, address, grpc, http)
            : null;
    }
}
