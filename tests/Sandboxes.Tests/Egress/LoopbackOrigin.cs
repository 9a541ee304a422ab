using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Tests.Egress;

/// <summary>
/// An HTTP server on the host's loopback that the egress tests may reach: it counts the
/// connections the proxy opens to it and keeps each request head it receives, so a test can
/// see whether a request got through and which Host the origin was told.
/// </summary>
public sealed class LoopbackOrigin : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _connections;

    public LoopbackOrigin()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _serving = ServeAsync();
    }

    public int Port { get; }

    public int Connections => Volatile.Read(ref _connections);

    public ConcurrentQueue<string> Heads { get; } = new();

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = AnswerAsync(client);
        }
    }

    private async Task AnswerAsync(Socket client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && head.Length < 64 * 1024)
            {
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                head.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }

            Heads.Enqueue(head.ToString());
            await client.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\norigin"u8.ToArray(), timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // The proxy or the test went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _serving;
        _stop.Dispose();
    }
}
