using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Api;

/// <summary>Exposes ports as preview URLs. The grain keeps the ports and their tokens; the URL is written here.</summary>
public sealed class PortsApi(IGrainFactory grains, PreviewUrls urls, PreviewTargets targets) : Ports.PortsBase
{
    public override async Task<ExposedPortInfo> Expose(ExposePortRequest request, ServerCallContext context)
    {
        var exposed = await Grain(request.Sandbox).ExposePortAsync(request.Port, request.Name);
        return Info(request.Sandbox, exposed);
    }

    public override async Task<UnexposePortResponse> Unexpose(UnexposePortRequest request, ServerCallContext context)
    {
        var unexposed = await Grain(request.Sandbox).UnexposePortAsync(request.Port);
        targets.Forget(request.Sandbox);
        return new UnexposePortResponse { Unexposed = unexposed };
    }

    public override async Task<ListExposedPortsResponse> List(ListExposedPortsRequest request, ServerCallContext context)
    {
        var response = new ListExposedPortsResponse();
        response.Ports.AddRange((await Grain(request.Sandbox).GetExposedPortsAsync()).Select(p => Info(request.Sandbox, p)));
        return response;
    }

    private ExposedPortInfo Info(string sandbox, ExposedPort port) => new()
    {
        Port = port.Port,
        Name = port.Name,
        Url = urls.For(sandbox, port),
        ExposedAt = Timestamp.FromDateTimeOffset(port.ExposedAt),
    };

    private ISandboxGrain Grain(string sandbox) => grains.GetSandbox(sandbox);
}
