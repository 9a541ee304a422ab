using Yarp.ReverseProxy.Forwarder;

namespace Sandboxes.Silo.Preview;

/// <summary>
/// Copies the request as the browser sent it, Host included (dev servers check it), tells the
/// server where the request came from, and attaches the route the connector needs.
/// </summary>
public sealed class PreviewTransformer(PreviewRoute route) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Host = httpContext.Request.Host.Value;
        proxyRequest.Headers.Remove("X-Forwarded-Host");
        proxyRequest.Headers.Remove("X-Forwarded-Proto");
        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Host", httpContext.Request.Host.Value);
        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
        proxyRequest.Options.Set(PreviewConnector.RouteKey, route);
    }
}
