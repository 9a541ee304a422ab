using System.Net;
using Sandboxes.Silo.Handoff;

namespace Sandboxes.Silo.Preview;

/// <summary>Where one preview request goes: a port inside the sandbox whose agent listens here.</summary>
public sealed record PreviewRoute(AgentEndpoint Agent, int Port);

/// <summary>
/// The one HTTP client every preview request is forwarded with. Its connections are TCP
/// sockets that the sandbox's agent connected to 127.0.0.1:PORT inside the sandbox and handed
/// over, so the silo talks to the sandbox's server directly, in the sandbox's own network
/// (through a <see cref="HandedOverSocketStream"/>, which the sandbox cannot make block).
/// The pool is keyed by a made-up host naming the sandbox's container's generation, so
/// a connection is never reused for another sandbox or a restarted one.
/// </summary>
public sealed class PreviewConnector : IDisposable
{
    public static readonly HttpRequestOptionsKey<PreviewRoute> RouteKey = new("sandboxes.preview.route");

    public PreviewConnector()
    {
        Client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = ConnectAsync,
        });
    }

    public HttpMessageInvoker Client { get; }

    /// <summary>
    /// The destination prefix for a route: only the connection pool sees this host. A
    /// generation is new with every start of every sandbox, so it alone keeps pools apart.
    /// </summary>
    public static string Destination(PreviewRoute route) => $"http://{route.Agent.Generation}.sandbox:{route.Port}/";

    public void Dispose() => Client.Dispose();

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!context.InitialRequestMessage.Options.TryGetValue(RouteKey, out var route))
        {
            throw new InvalidOperationException("a preview connection was asked for without its route");
        }

        using var handoff = await HandoffConnection.ConnectAsync(route.Agent.SocketPath, cancellationToken)
            ?? throw new HttpRequestException("the sandbox's agent does not hand over connections (it predates preview URLs); restart the sandbox");
        return await handoff.ConnectPortAsync(route.Port, cancellationToken);
    }
}
