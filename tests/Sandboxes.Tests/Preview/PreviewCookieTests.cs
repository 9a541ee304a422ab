using System.Net;
using System.Net.Sockets;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Silo.Preview;
using Sandboxes.Silo.WebConsole;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Preview;

/// <summary>
/// Previews share a registrable domain with each other (and, under localhost, with the
/// console): a preview must neither read the silo's cookies nor set cookies on a parent domain.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class PreviewCookieTests(SiloFixture fixture) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Answers with the Cookie header it got, and tries to set cookies on the parent domain and in the silo's names.</summary>
    private const string CookieServer = """
        import http.server
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = (self.headers.get("Cookie") or "").encode()
                self.send_response(200)
                self.send_header("Set-Cookie", "parent=1; Domain=preview.localhost; Path=/")
                self.send_header("Set-Cookie", "upper=1; Path=/; DOMAIN=.localhost")
                self.send_header("Set-Cookie", "sandboxes_console=planted; Path=/")
                self.send_header("Set-Cookie", "own=2; Path=/; HttpOnly")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        http.server.ThreadingHTTPServer(("127.0.0.1", 8300), Handler).serve_forever()
        """;

    private readonly TestSilo _silo = fixture.Silo;

    // Without a cookie jar: the test sends the Cookie header a browser would, and reads Set-Cookie as sent.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, new Uri(fixture.Silo.HttpUrl).Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { Timeout = Bound };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task The_silos_cookies_stay_out_of_the_sandbox_and_the_sandbox_sets_only_host_only_cookies()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("cookies"));
        await box.Processes.StartAsync(["python3", "-c", CookieServer], new StartProcessOptions { Id = "web" });
        await box.Processes.WaitForPortAsync("web", 8300, Bound);
        var url = (await box.ExposePortAsync(8300)).Url;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Cookie", $"{ConsoleAccess.CookieName}=console-secret; own=2; __Host-sandboxes_session=s2");
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("own=2", await response.Content.ReadAsStringAsync());
        Assert.Equal(["own=2; Path=/; HttpOnly"], response.Headers.GetValues("Set-Cookie"));
    }

    [Fact]
    public void The_consoles_cookie_is_in_the_names_previews_never_see() =>
        Assert.StartsWith(PreviewCookies.ReservedPrefix, ConsoleAccess.CookieName, StringComparison.Ordinal);
}
