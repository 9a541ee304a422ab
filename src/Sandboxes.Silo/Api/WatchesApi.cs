using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Silo.Api;

/// <summary>File watches, streamed from the sandbox's agent (inotify) to the caller as they happen.</summary>
public sealed class WatchesApi(SandboxConnector connector) : Watches.WatchesBase
{
    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context)
    {
        var connection = await connector.ConnectAsync(request.Sandbox);
        try
        {
            using var call = connection.Watches.Watch(request, cancellationToken: context.CancellationToken);
            await foreach (var e in call.ResponseStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(e, context.CancellationToken);
            }
        }
        catch (RpcException e)
        {
            await connector.ReportIfUnreachableAsync(request.Sandbox, connection, e);
            throw new RpcException(e.Status, e.Trailers);
        }
    }
}
