using System.Net;
using System.Net.Sockets;
using System.Text;
using Sandboxes.Silo.Egress;

namespace Sandboxes.Tests.Egress;

/// <summary>
/// How the proxy reads a request head: the host it checks is the host the origin hears of.
/// Each head is written to a loopback connection and read back as the proxy reads it.
/// </summary>
public sealed class ProxyRequestTests
{
    private static async Task<HttpHead> HeadAsync(string text)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var writer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await writer.ConnectAsync(listener.LocalEndPoint!);
        using var reader = await listener.AcceptAsync();
        await writer.SendAsync(Encoding.Latin1.GetBytes(text));
        writer.Shutdown(SocketShutdown.Send);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await HttpHead.ReadAsync(reader, default, timeout.Token) ?? throw new InvalidOperationException("no head read");
    }

    [Theory]
    [InlineData("CONNECT allowed.test:443 HTTP/1.1\r\nHost: allowed.test:443\r\n\r\n", "CONNECT", "allowed.test", 443, "")]
    [InlineData("CONNECT Allowed.Test.:443 HTTP/1.1\r\nHost: allowed.test\r\n\r\n", "CONNECT", "allowed.test", 443, "")]
    [InlineData("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n", "CONNECT", "::1", 8443, "")]
    [InlineData("GET http://allowed.test/a?b=c HTTP/1.1\r\nHost: allowed.test\r\n\r\n", "GET", "allowed.test", 80, "/a?b=c")]
    [InlineData("GET http://allowed.test:80?q HTTP/1.1\r\nHost: allowed.test:80\r\n\r\n", "GET", "allowed.test", 80, "/?q")]
    [InlineData("POST http://127.0.0.1:8080 HTTP/1.0\r\nContent-Length: 0\r\n\r\n", "POST", "127.0.0.1", 8080, "/")]
    public async Task Well_formed_requests_name_the_checked_host(string text, string method, string host, int port, string path)
    {
        Assert.True(ProxyRequest.TryParse(await HeadAsync(text), out var request, out var problem), problem);

        Assert.Equal((method, host, port), (request.Method, request.Host, request.Port));
        if (path.Length > 0)
        {
            Assert.Equal(path, request.PathAndQuery);
        }
    }

    [Theory]
    [InlineData("CONNECT localhost\0.allowed.test:443 HTTP/1.1\r\n\r\n", "control character")]
    [InlineData("CONNECT evil.example%00.allowed.test:443 HTTP/1.1\r\n\r\n", "not a valid host name")]
    [InlineData("CONNECT allowed.test:443x HTTP/1.1\r\n\r\n", "port")]
    [InlineData("CONNECT allowed.test:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n", "does not name the request's target")]
    [InlineData("GET http://allowed.test/ HTTP/1.1\r\nHost: evil.example\r\n\r\n", "does not name the request's target")]
    [InlineData("GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test:8080\r\n\r\n", "does not name the request's target")]
    [InlineData("GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\nHost: evil.example\r\n\r\n", "more than one Host header")]
    [InlineData("GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\nX-A: 1\nHost: evil.example\r\n\r\n", "control character")]
    [InlineData("GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\n Host: evil.example\r\n\r\n", "folded")]
    [InlineData("GET http://allowed.test/ HTTP/1.1\r\nHost : evil.example\r\n\r\n", "folded")]
    [InlineData("GET http://evil.example\\@allowed.test/ HTTP/1.1\r\n\r\n", "user name")]
    [InlineData("GET http://user@allowed.test/ HTTP/1.1\r\n\r\n", "user name")]
    [InlineData("GET http://evil.example\\.allowed.test/ HTTP/1.1\r\n\r\n", "not a valid host name")]
    [InlineData("GET http://allowed.test\u00ff/ HTTP/1.1\r\n\r\n", "not a valid host name")]
    [InlineData("GET http://allowed.test/\u00ff HTTP/1.1\r\n\r\n", "percent-encoded")]
    [InlineData("GET http://allowed.test/ HTTP/2.0\r\n\r\n", "not an HTTP/1.x proxy request")]
    public async Task Requests_that_could_name_another_host_are_refused(string text, string reason)
    {
        Assert.False(ProxyRequest.TryParse(await HeadAsync(text), out _, out var problem));

        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
