using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Api;

/// <summary>File watches, streamed from the sandbox's agent (inotify) to the caller as they happen.</summary>
public sealed class WatchesApi(SandboxConnector connector) : Watches.WatchesBase
{
    public override Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context) =>
        connector.RelayAsync(context.CallersSandbox(request.Sandbox), c => c.Watches.Watch(request, cancellationToken: context.CancellationToken), responseStream, context.CancellationToken);
}
