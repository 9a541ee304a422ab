using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Cluster;

/// <summary>The cluster's hosts for operators (admin keys only): capacity, sandbox counts, draining.</summary>
public sealed class HostsApi(HostTable table, HostReports reports, ClusterHosts hosts) : Hosts.HostsBase
{
    public override async Task<ListHostsResponse> List(ListHostsRequest request, ServerCallContext context)
    {
        context.RequireAdmin("see and drain hosts");
        var up = hosts.Active().Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        var response = new ListHostsResponse();
        response.Hosts.AddRange((await table.ListAsync(context.CancellationToken)).OrderBy(l => l.Name, StringComparer.Ordinal).Select(l => ToInfo(l, up.Contains(l.Name))));
        return response;
    }

    public override Task<HostInfo> Drain(DrainHostRequest request, ServerCallContext context) => SetDrainingAsync(request.Name, true, context);

    public override Task<HostInfo> Undrain(DrainHostRequest request, ServerCallContext context) => SetDrainingAsync(request.Name, false, context);

    private async Task<HostInfo> SetDrainingAsync(string name, bool draining, ServerCallContext context)
    {
        context.RequireAdmin("see and drain hosts");
        if (!HostNames.IsValid(name) || !await table.SetDrainingAsync(name, draining, context.CancellationToken))
        {
            throw new SandboxException(SandboxError.NotFound, $"no host named '{(name.Length > 40 ? name[..40] : name)}' ever reported; 'sbx hosts' lists them");
        }

        // This silo places by the new flag at once; the others at their next read (a few seconds).
        await reports.RefreshAsync(context.CancellationToken);
        var load = (await table.ListAsync(context.CancellationToken)).Single(l => l.Name == name);
        return ToInfo(load, hosts.Find(name) is not null);
    }

    private static HostInfo ToInfo(HostLoad load, bool up) => new()
    {
        Name = load.Name,
        Up = up,
        Draining = load.Draining,
        Running = (uint)load.Running,
        MaxRunning = (uint)load.MaxRunning,
        Sandboxes = (uint)load.Sandboxes,
        MemoryAvailableBytes = (ulong)load.MemoryAvailableBytes,
        MemoryTotalBytes = (ulong)load.MemoryTotalBytes,
        DiskAvailableBytes = (ulong)load.DiskAvailableBytes,
        DiskTotalBytes = (ulong)load.DiskTotalBytes,
        Reported = Timestamp.FromDateTimeOffset(load.Updated),
        Refusal = up ? load.Refusal ?? "" : "down",
    };
}
