using System.Net;
using System.Net.Sockets;
using System.Text;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// Checks a port from inside the sandbox: the agent shares the container's network
/// namespace, whose loopback exists even with no network.
/// </summary>
public static class PortProbe
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>True when 127.0.0.1:<paramref name="port"/> accepts a connection (and, for HTTP, answers <paramref name="expectedStatus"/>).</summary>
    public static async Task<bool> IsReadyAsync(int port, PortCheck mode, string path, int expectedStatus, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(AttemptTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), attempt.Token);
            if (mode == PortCheck.Tcp)
            {
                return true;
            }

            var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, attempt.Token);
            return await ReadStatusAsync(socket, attempt.Token) == expectedStatus;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The status code of "HTTP/1.x NNN ...", or -1 when the answer is not HTTP.</summary>
    private static async Task<int> ReadStatusAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
            if (buffer.AsSpan(0, filled).IndexOf("\r\n"u8) >= 0)
            {
                break;
            }
        }

        var line = Encoding.ASCII.GetString(buffer, 0, filled).Split("\r\n")[0].Split(' ');
        return line.Length >= 2 && line[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(line[1], out var status) ? status : -1;
    }
}
