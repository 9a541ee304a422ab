using System.Net;
using System.Net.Sockets;
using Sandboxes.Networking;

namespace Sandboxes.Agent.Egress;

/// <summary>
/// The sandbox's HTTP proxy on 127.0.0.1 (port from <c>--egress-port</c>, 3128 by default).
/// It understands nothing of HTTP: each connection is passed whole to the silo's egress proxy
/// through the socket the silo keeps at /.sandboxes/egress/proxy.sock, and the silo decides.
/// </summary>
public sealed partial class EgressRelay(IConfiguration configuration, ILogger<EgressRelay> logger) : BackgroundService
{
    public const string SiloSocket = "/.sandboxes/egress/proxy.sock";
    public const int DefaultPort = 3128;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var port = int.TryParse(configuration["egress-port"], out var p) ? p : DefaultPort;
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            // A user's own server on the port: the sandbox still works, only without egress.
            CannotListen(port, e.Message);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = RelayAsync(client, stoppingToken);
        }
    }

    private static async Task RelayAsync(Socket client, CancellationToken stoppingToken)
    {
        using var _ = client;
        using var silo = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await silo.ConnectAsync(new UnixDomainSocketEndPoint(SiloSocket), stoppingToken);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            await RefuseAsync(client, e.Message);
            return;
        }

        await BytePump.BothWaysAsync(client, silo, stoppingToken);
    }

    private static async Task RefuseAsync(Socket client, string reason)
    {
        var body = System.Text.Encoding.UTF8.GetBytes($"sandboxes egress proxy: the silo's proxy is not reachable from this sandbox ({reason})\n");
        var head = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        try
        {
            await client.SendAsync(head.Concat(body).ToArray());
        }
        catch (SocketException)
        {
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Cannot listen on 127.0.0.1:{Port} for egress ({Reason}); this sandbox has no egress proxy")]
    private partial void CannotListen(int port, string reason);
}
