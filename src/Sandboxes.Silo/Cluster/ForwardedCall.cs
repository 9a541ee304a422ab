using Grpc.Core;
using Sandboxes.Silo.Auth;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// Marks a request another silo forwarded here, after checking the cluster secret it carries:
/// such a request is served on this host and never forwarded again. A request that carries the
/// header with a wrong secret is refused outright, so a client cannot pose as a silo.
/// </summary>
public sealed class ForwardedCall(RequestDelegate next, ClusterSecret secret)
{
    public const string SecretHeader = "sandboxes-cluster-secret";
    public const string FromHeader = "sandboxes-forwarded-from";

    /// <summary>The path prefix of requests that only silos send each other (the terminal WebSocket).</summary>
    public const string InternalPrefix = "/_cluster";

    private sealed class Marker;

    public static bool IsForwarded(HttpContext context) => context.Features.Get<Marker>() is not null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.TryGetValue(SecretHeader, out var presented))
        {
            context.Request.Headers.Remove(SecretHeader);
            if (presented.Count != 1 || !secret.Matches(presented[0]))
            {
                await RefuseAsync(context);
                return;
            }

            context.Features.Set(new Marker());
        }
        else if (context.Request.Path.StartsWithSegments(InternalPrefix))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await next(context);
    }

    private static Task RefuseAsync(HttpContext context)
    {
        const string message = "this request claims to come from another silo, but its cluster secret is wrong; silos of one cluster must share Sandboxes:ClusterSecret";
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            return GrpcRefusal.WriteAsync(context, StatusCode.Unauthenticated, message);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return context.Response.WriteAsync(message);
    }
}
