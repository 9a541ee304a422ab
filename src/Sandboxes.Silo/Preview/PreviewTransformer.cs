using Yarp.ReverseProxy.Forwarder;

namespace Sandboxes.Silo.Preview;

/// <summary>
/// Copies the request as the browser sent it, Host included (dev servers check it), tells the
/// server where the request came from, and attaches the route the connector needs. Cookies
/// cross only within the preview's own host (see <see cref="PreviewCookies"/>).
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
        PreviewCookies.StripRequest(proxyRequest.Headers);
        proxyRequest.Options.Set(PreviewConnector.RouteKey, route);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        PreviewCookies.FilterResponse(httpContext.Response);
        return proceed;
    }
}
