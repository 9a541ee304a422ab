using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Api;

/// <summary>Exposes ports as preview URLs. The grain keeps the ports and their tokens; the URL is written here.</summary>
public sealed class PortsApi(IGrainFactory grains, PreviewUrls urls, PreviewTargets targets) : Ports.PortsBase
{
    public override async Task<ExposedPortInfo> Expose(ExposePortRequest request, ServerCallContext context)
    {
        var sandbox = context.CallersSandbox(request.Sandbox);
        var exposed = await grains.GetSandbox(sandbox).ExposePortAsync(request.Port, request.Name);
        return Info(sandbox, exposed);
    }

    public override async Task<UnexposePortResponse> Unexpose(UnexposePortRequest request, ServerCallContext context)
    {
        var sandbox = context.CallersSandbox(request.Sandbox);
        var unexposed = await grains.GetSandbox(sandbox).UnexposePortAsync(request.Port);
        targets.Forget(sandbox);
        return new UnexposePortResponse { Unexposed = unexposed };
    }

    public override async Task<ListExposedPortsResponse> List(ListExposedPortsRequest request, ServerCallContext context)
    {
        var sandbox = context.CallersSandbox(request.Sandbox);
        var response = new ListExposedPortsResponse();
        response.Ports.AddRange((await grains.GetSandbox(sandbox).GetExposedPortsAsync()).Select(p => Info(sandbox, p)));
        return response;
    }

    private ExposedPortInfo Info(SandboxKey sandbox, ExposedPort port) => new()
    {
        Port = port.Port,
        Name = port.Name,
        Url = urls.For(sandbox, port),
        ExposedAt = Timestamp.FromDateTimeOffset(port.ExposedAt),
    };
}
