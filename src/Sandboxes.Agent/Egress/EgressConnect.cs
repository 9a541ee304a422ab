using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Agent.Egress;

/// <summary>
/// <c>sandboxd connect HOST PORT</c>: one tunnel through the silo's egress proxy, on stdin and
/// stdout. git runs it for git:// URLs (GIT_PROXY_COMMAND points at the git-proxy script beside
/// sandboxd); anything that speaks a protocol over a pipe can use it.
/// </summary>
public static class EgressConnect
{
    public static async Task<int> RunAsync(string host, string port)
    {
        using var silo = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await silo.ConnectAsync(new UnixDomainSocketEndPoint(EgressRelay.SiloSocket));
        }
        catch (SocketException e)
        {
            await Console.Error.WriteLineAsync($"sandboxes egress: the silo's proxy is not reachable from this sandbox ({e.Message})");
            return 1;
        }

        var authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        await silo.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"));
        var (status, rest) = await ReadResponseHeadAsync(silo);
        if (status != 200)
        {
            await Console.Error.WriteLineAsync($"sandboxes egress: {status} {rest.Trim()}");
            return 1;
        }

        using var stdin = Console.OpenStandardInput();
        using var stdout = Console.OpenStandardOutput();
        await using var network = new NetworkStream(silo, ownsSocket: false);
        if (rest.Length > 0)
        {
            await stdout.WriteAsync(Encoding.Latin1.GetBytes(rest));
        }

        var upload = Task.Run(async () =>
        {
            await stdin.CopyToAsync(network);
            silo.Shutdown(SocketShutdown.Send);
        });
        await network.CopyToAsync(stdout);
        await stdout.FlushAsync();
        return 0;
    }

    /// <summary>The status code, and the text after the head: the refusal's message, or tunnel bytes that came early.</summary>
    private static async Task<(int Status, string Remainder)> ReadResponseHeadAsync(Socket silo)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await silo.ReceiveAsync(buffer.AsMemory(length));
            if (read == 0)
            {
                break;
            }

            length += read;
            var text = Encoding.Latin1.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var status = text.Split(' ', 3) is [_, var code, ..] && int.TryParse(code, out var n) ? n : 0;
            var rest = text[(end + 4)..];

            // A refusal's body is short and ends with the connection; read it all for the message.
            while (status != 200 && (read = await silo.ReceiveAsync(buffer.AsMemory(length))) > 0 && length + read < buffer.Length)
            {
                length += read;
                rest = Encoding.Latin1.GetString(buffer, 0, length)[(end + 4)..];
            }

            return (status, rest);
        }

        return (0, "the proxy closed the connection without an answer");
    }
}
