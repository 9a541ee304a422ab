using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Sandboxes.Tests.Preview;

/// <summary>
/// An HTTP client that resolves every host to the silo's HTTP port on loopback, as browsers
/// resolve *.localhost: preview URLs are then used exactly as printed.
/// </summary>
public sealed class PreviewBrowser(string siloHttpUrl) : IDisposable
{
    private readonly SocketsHttpHandler _handler = new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, new Uri(siloHttpUrl).Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    public HttpClient Http => new(_handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(60) };

    public async Task<ClientWebSocket> OpenWebSocketAsync(Uri url, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, new HttpMessageInvoker(_handler, disposeHandler: false), cancellationToken);
        return socket;
    }

    public void Dispose() => _handler.Dispose();
}
