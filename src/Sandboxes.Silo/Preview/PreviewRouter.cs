using Grpc.Core;
using Sandboxes.Silo.Cluster;
using Sandboxes.Silo.Sandboxes;
using Yarp.ReverseProxy.Forwarder;

namespace Sandboxes.Silo.Preview;

/// <summary>
/// Serves preview URLs on the silo's HTTP port: the host name says which sandbox, port and
/// token; the grain (through a short cache) says whether the token is good and wakes the
/// sandbox; YARP forwards the request, WebSocket upgrades and streamed responses included.
/// Anything else on the port passes on to the rest of the pipeline.
/// </summary>
public sealed partial class PreviewRouter(RequestDelegate next, PreviewUrls urls, PreviewTargets targets, PreviewConnector connector, SandboxActivity activity, IHttpForwarder forwarder, LocalHost local, ClusterHosts hosts, SiloForwarder peers, ILogger<PreviewRouter> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Connection.LocalPort != urls.ListenPort || !PreviewAddress.TryParse(context.Request.Host.Host, urls.Domain, out var address))
        {
            await next(context);
            return;
        }

        PreviewTarget target;
        try
        {
            target = await targets.ResolveAsync(address);
        }
        catch (SandboxException e)
        {
            await PreviewPages.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The sandbox could not be started", e.Message);
            return;
        }

        switch (target.Outcome)
        {
            case PreviewOutcome.Gone:
                await PreviewPages.WriteAsync(context, StatusCodes.Status410Gone, "This sandbox was destroyed", $"Sandbox '{address.Sandbox.Name}' no longer exists, so its preview URLs are gone for good.");
                return;
            case not PreviewOutcome.Found:
                await PreviewPages.WriteAsync(context, StatusCodes.Status404NotFound, "No such preview", $"Port {address.Port} of sandbox '{address.Sandbox.Name}' is not exposed with this token. Expose it (sbx expose {address.Sandbox.Name} {address.Port}) and use the URL that prints.");
                return;
        }

        // The sandbox runs on another host: that host's silo serves the request, whole.
        var agent = target.Agent!;
        if (agent.Host.Length > 0 && !local.Is(agent.Host))
        {
            var failure = ForwardedCall.IsForwarded(context)
                ? $"sandbox '{address.Sandbox.Name}' moved to host '{agent.Host}' while this request was on its way; retry"
                : hosts.Find(agent.Host) is { } owner ? await peers.ForwardHttpAsync(context, owner) : SandboxPlacementDirector.HostDown(address.Sandbox, agent.Host).Message;
            if (failure is not null && !context.Response.HasStarted)
            {
                await PreviewPages.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The sandbox's host did not answer", failure);
            }

            return;
        }

        var route = new PreviewRoute(agent, address.Port);
        using (activity.Track(address.Sandbox))
        {
            var error = await forwarder.SendAsync(context, PreviewConnector.Destination(route), connector.Client, ForwarderRequestConfig.Empty, new PreviewTransformer(route));
            if (error != ForwarderError.None && !context.Response.HasStarted)
            {
                var cause = context.GetForwarderErrorFeature()?.Exception;
                var reason = FindRpc(cause)?.Status.Detail ?? cause?.Message ?? error.ToString();
                Unreachable(logger, address.Sandbox.GrainKey, address.Port, reason);
                await PreviewPages.WriteAsync(context, StatusCodes.Status502BadGateway, "Nothing answered in the sandbox", $"Port {address.Port} of sandbox '{address.Sandbox.Name}' did not answer: {reason}. Start a server listening on that port (for example: python3 -m http.server {address.Port}).");
            }
        }
    }

    private static RpcException? FindRpc(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is RpcException rpc)
            {
                return rpc;
            }
        }

        return null;
    }

    [LoggerMessage(1, LogLevel.Debug, "Preview of sandbox {Sandbox} port {Port} failed: {Reason}")]
    private static partial void Unreachable(ILogger logger, string sandbox, int port, string reason);
}
