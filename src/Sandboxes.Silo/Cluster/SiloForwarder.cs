using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Auth;
using Yarp.ReverseProxy.Forwarder;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// Forwards a whole request to the silo of the host that holds its sandbox: a gRPC call (HTTP/2,
/// every kind of stream), a preview request or a WebSocket. YARP streams both ways with flow
/// control, carries deadlines, cancellation and trailers, and the caller's API key goes along,
/// so the owning silo checks it as if the call had come straight there.
/// </summary>
public sealed partial class SiloForwarder : IDisposable
{
    /// <summary>Streams (an exec, a terminal) may be quiet for long; their own deadlines end them, not the relay.</summary>
    private static readonly TimeSpan QuietStreamLimit = TimeSpan.FromDays(1);

    private readonly IHttpForwarder _forwarder;
    private readonly ClusterSecret _secret;
    private readonly LocalHost _local;
    private readonly ILogger<SiloForwarder> _logger;
    private readonly HttpMessageInvoker _client;

    public SiloForwarder(IHttpForwarder forwarder, ClusterSecret secret, LocalHost local, IOptions<TlsOptions> tls, ILogger<SiloForwarder> logger)
    {
        _forwarder = forwarder;
        _secret = secret;
        _local = local;
        _logger = logger;

        // Peers present the cluster's certificate: trusted like any server's, or because it is
        // the very certificate this silo serves (one certificate for all silos, as a chart mounts it).
        var own = tls.Value.CertificatePath.Length > 0 ? X509Certificate2.CreateFromPem(File.ReadAllText(tls.Value.CertificatePath)) : null;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            InitialHttp2StreamWindowSize = 8 << 20,
            ActivityHeadersPropagator = null,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None || (own is not null && certificate is not null && own.RawDataMemory.Span.SequenceEqual(certificate.GetRawCertData())),
            },
        });
    }

    /// <summary>Forwards a gRPC call; when the owning silo does not answer, the caller gets UNAVAILABLE naming the host.</summary>
    public async Task ForwardCallAsync(HttpContext context, ClusterHost owner)
    {
        var config = new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact, ActivityTimeout = QuietStreamLimit };
        var error = await _forwarder.SendAsync(context, owner.GrpcUrl, _client, config, new ToPeer(_secret.Value, _local.Name, null));
        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            await GrpcRefusal.WriteAsync(context, StatusCode.Unavailable, Unreachable(context, owner, error));
        }
    }

    /// <summary>Forwards an HTTP/1.1 request (a preview, a WebSocket), to <paramref name="path"/> when given.</summary>
    public async Task<string?> ForwardHttpAsync(HttpContext context, ClusterHost owner, string? path = null)
    {
        var config = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact, ActivityTimeout = QuietStreamLimit };
        var error = await _forwarder.SendAsync(context, owner.HttpUrl, _client, config, new ToPeer(_secret.Value, _local.Name, path));
        return error == ForwarderError.None || context.Response.HasStarted ? null : Unreachable(context, owner, error);
    }

    public void Dispose() => _client.Dispose();

    private string Unreachable(HttpContext context, ClusterHost owner, ForwarderError error)
    {
        var reason = context.GetForwarderErrorFeature()?.Exception?.Message ?? error.ToString();
        PeerUnreachable(_logger, owner.Name, reason);
        return $"host '{owner.Name}', which holds this sandbox, did not answer ({reason}); retry when it is back";
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not forward a call to host {Host}: {Reason}")]
    private static partial void PeerUnreachable(ILogger logger, string host, string reason);

    /// <summary>The request as the client sent it (Host too: previews and the console read it), plus the cluster secret.</summary>
    private sealed class ToPeer(string secret, string from, string? path) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
            proxyRequest.Headers.Remove(ForwardedCall.SecretHeader);
            proxyRequest.Headers.TryAddWithoutValidation(ForwardedCall.SecretHeader, secret);
            proxyRequest.Headers.TryAddWithoutValidation(ForwardedCall.FromHeader, from);
            if (path is not null)
            {
                proxyRequest.RequestUri = new Uri(new Uri(destinationPrefix), path + httpContext.Request.QueryString.Value);
            }
        }
    }
}
