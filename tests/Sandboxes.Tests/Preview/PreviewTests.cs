using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Preview;

/// <summary>Preview URLs end to end: a real server in a real sandbox, reached through the silo's HTTP port.</summary>
[Collection(SiloCollection.Name)]
public sealed class PreviewTests(SiloFixture fixture) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;
    private readonly PreviewBrowser _browser = new(fixture.Silo.HttpUrl);

    public void Dispose() => _browser.Dispose();

    private async Task<Sandbox> ServeAsync(string prefix, string content, int port = 8000)
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName(prefix));
        await box.Files.WriteTextAsync("/srv/site/hello.txt", content, new WriteFileOptions { MakeParents = true });
        await box.Processes.StartAsync(["python3", "-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", "/srv/site"], new StartProcessOptions { Id = "web" });
        await box.Processes.WaitForPortAsync("web", port, Bound);
        return box;
    }

    [Fact]
    public async Task An_exposed_port_gets_a_tokened_url_that_serves_the_sandboxs_server()
    {
        var box = await ServeAsync("preview", "hello from inside");

        var exposed = await box.ExposePortAsync(8000, "site");

        var port = new Uri(_silo.HttpUrl).Port;
        Assert.Matches(new Regex($"^http://8000-{box.Name}-[a-z0-9]{{16}}\\.preview\\.localhost:{port}/$"), exposed.Url);
        using var http = _browser.Http;
        var listing = await http.GetStringAsync(exposed.Url);
        Assert.Contains("hello.txt", listing, StringComparison.Ordinal);
        Assert.Equal("hello from inside", await http.GetStringAsync(exposed.Url + "hello.txt"));

        Assert.Equal(exposed.Url, (await box.ExposePortAsync(8000)).Url);
        var listed = Assert.Single(await box.GetExposedPortsAsync());
        Assert.Equal((8000, "site", exposed.Url), (listed.Port, listed.Name, listed.Url));
    }

    [Fact]
    public async Task Wrong_tokens_unexposed_ports_silent_ports_and_destroyed_sandboxes_each_say_what_happened()
    {
        var box = await ServeAsync("preview", "x");
        var exposed = new Uri((await box.ExposePortAsync(8000)).Url);
        var silent = new Uri((await box.ExposePortAsync(9000)).Url);
        using var http = _browser.Http;

        var wrongToken = await http.GetAsync(Replace(exposed, exposed.Host.Split('.')[0][^16..], "0000000000000000"));
        Assert.Equal(HttpStatusCode.NotFound, wrongToken.StatusCode);
        Assert.Contains("not exposed with this token", await wrongToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var unexposed = await http.GetAsync(Replace(exposed, "8000-", "8001-"));
        Assert.Equal(HttpStatusCode.NotFound, unexposed.StatusCode);

        var nothingListens = await http.GetAsync(silent);
        Assert.Equal(HttpStatusCode.BadGateway, nothingListens.StatusCode);
        Assert.Contains("nothing listens", await nothingListens.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var asBrowser = new HttpRequestMessage(HttpMethod.Get, silent);
        asBrowser.Headers.Accept.ParseAdd("text/html");
        var page = await http.SendAsync(asBrowser);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        Assert.True(await box.UnexposePortAsync(8000));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(exposed)).StatusCode);

        await box.DestroyAsync();
        var gone = await http.GetAsync(silent);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);

        // Only a URL that was handed out learns the sandbox existed: a guessed token is a 404.
        var guessed = await http.GetAsync(Replace(silent, silent.Host.Split('.')[0][^16..], "0000000000000000"));
        Assert.Equal(HttpStatusCode.NotFound, guessed.StatusCode);
    }

    [Fact]
    public async Task Two_sandboxes_on_the_same_port_each_serve_their_own_content()
    {
        var first = await ServeAsync("preview", "first");
        var second = await ServeAsync("preview", "second");
        var firstUrl = (await first.ExposePortAsync(8000)).Url;
        var secondUrl = (await second.ExposePortAsync(8000)).Url;
        using var http = _browser.Http;

        for (var round = 0; round < 5; round++)
        {
            Assert.Equal("first", await http.GetStringAsync(firstUrl + "hello.txt"));
            Assert.Equal("second", await http.GetStringAsync(secondUrl + "hello.txt"));
        }
    }

    [Fact]
    public async Task Event_streams_arrive_as_they_are_sent()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("preview"));
        await box.Processes.StartAsync(["python3", "-c", PreviewServers.EventStream], new StartProcessOptions { Id = "events" });
        await box.Processes.WaitForPortAsync("events", 8100, Bound);
        var url = (await box.ExposePortAsync(8100)).Url;
        using var http = _browser.Http;
        using var timeout = new CancellationTokenSource(Bound);

        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // The server holds "last" back until told: the first event can only arrive if nothing buffers.
        Assert.Equal("data: first", await reader.ReadLineAsync(timeout.Token));
        await box.ExecAsync("touch /tmp/release");
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("data: last", await reader.ReadLineAsync(timeout.Token));
    }

    [Fact]
    public async Task WebSocket_upgrades_pass_through_both_ways()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("preview"));
        await box.Processes.StartAsync(["python3", "-c", PreviewServers.WebSocketEcho], new StartProcessOptions { Id = "ws" });
        await box.Processes.WaitForPortAsync("ws", 8200, Bound);
        var url = new UriBuilder((await box.ExposePortAsync(8200)).Url) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(Bound);

        using var socket = await _browser.OpenWebSocketAsync(url, timeout.Token);
        foreach (var message in new[] { "hello", "again" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var buffer = new byte[256];
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal($"echo:{message}", Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
    }

    [Fact]
    public async Task A_request_to_a_sleeping_sandbox_wakes_it_and_the_url_outlives_a_silo_restart()
    {
        var box = await ServeAsync("preview", "x");
        var url = (await box.ExposePortAsync(8000)).Url;
        await _silo.RestartAsync();
        using (var http = _browser.Http)
        {
            Assert.Equal("x", await http.GetStringAsync(url + "hello.txt"));
        }

        // A running process keeps a sandbox awake; stop the server so it can fall asleep.
        await box.Processes.KillAsync("web");
        await box.SetSleepPolicyAsync(TimeSpan.FromSeconds(1));
        await Eventually.WaitAsync(() => box.GetInfoAsync(), i => i.State == SandboxState.Sleeping, Bound, "the sandbox to sleep");

        using var again = _browser.Http;
        var woken = await again.GetAsync(url);

        // Nothing listens any more, but the request woke the sandbox.
        Assert.Equal(HttpStatusCode.BadGateway, woken.StatusCode);
        Assert.Equal(SandboxState.Running, (await box.GetInfoAsync()).State);
    }

    [Theory]
    [InlineData(80, "use 1024 to 65535")]
    [InlineData(70000, "use 1024 to 65535")]
    [InlineData(3128, "reserved")]
    public async Task Ports_outside_the_range_or_reserved_are_refused(int port, string reason)
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("preview"));
        await box.ExecAsync("true");

        var error = await Assert.ThrowsAsync<RpcException>(() => box.ExposePortAsync(port));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exposing_on_an_unknown_sandbox_is_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _silo.Client.Sandbox(_silo.UniqueName("nobody")).ExposePortAsync(8000));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Sbx_expose_prints_the_url_and_sbx_ports_lists_it()
    {
        var box = await ServeAsync("preview", "cli");
        var cli = new CliRunner(_silo);

        var expose = await cli.RunAsync("expose", box.Name, "8000", "--name", "web");
        var ports = await cli.RunAsync("ports", box.Name);

        Assert.True(expose.ExitCode == 0, expose.Stderr);
        var url = expose.Stdout.Trim();
        using var http = _browser.Http;
        Assert.Equal("cli", await http.GetStringAsync(url + "hello.txt"));
        Assert.Contains(url, ports.Stdout, StringComparison.Ordinal);
        Assert.Contains("web", ports.Stdout, StringComparison.Ordinal);
    }

    private static Uri Replace(Uri url, string from, string to) => new(url.ToString().Replace(from, to, StringComparison.Ordinal));
}
