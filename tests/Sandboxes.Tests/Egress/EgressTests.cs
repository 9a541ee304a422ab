using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Egress;

/// <summary>
/// The egress route: a process in the sandbox talks HTTP proxy to sandboxd on 127.0.0.1:3128,
/// sandboxd passes the connection to the silo's per-sandbox socket, and the silo applies
/// Egress:AllowedHosts before connecting out. These tests speak raw proxy requests from
/// inside the sandbox so that they see exactly what the proxy answers.
/// </summary>
[Collection(EgressCollection.Name)]
public sealed class EgressTests(EgressFixture fixture)
{
    // Sends argv[1] (with \r\n escapes) to the sandbox's proxy and prints everything it answers until it closes.
    private const string RawProxyRequest = """
        import socket, sys
        s = socket.create_connection(("127.0.0.1", 3128), timeout=30)
        s.sendall(sys.argv[1].encode("latin1").decode("unicode_escape").encode("latin1"))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        sys.stdout.write(data.decode("latin1"))
        """;

    private readonly TestSilo _silo = fixture.Silo;

    /// <summary>Sends <paramref name="request"/>, with CR, LF and NUL written as the escapes \r, \n and \x00, to the sandbox's proxy; returns all it answers.</summary>
    internal static async Task<string> ProxyAsync(Sandbox box, string request)
    {
        var result = await box.ExecAsync(["python3", "-c", RawProxyRequest, request], new ExecOptions { Timeout = TimeSpan.FromSeconds(60) });
        Assert.True(result.ExitCode == 0, $"python failed: {result.Stderr}");
        return result.Stdout;
    }

    [Fact]
    public async Task An_allowed_loopback_port_is_reached_through_connect_and_through_plain_http()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));
        var before = fixture.Git.HttpRequests;
        var port = fixture.Git.HttpPort;

        var tunnelled = await ProxyAsync(box, $"CONNECT 127.0.0.1:{port} HTTP/1.1\\r\\nHost: 127.0.0.1:{port}\\r\\n\\r\\nGET /repo.git/info/refs?service=git-upload-pack HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n");
        Assert.StartsWith("HTTP/1.1 200 Connection established", tunnelled, StringComparison.Ordinal);
        Assert.Contains("# service=git-upload-pack", tunnelled, StringComparison.Ordinal);

        var plain = await ProxyAsync(box, $"GET http://127.0.0.1:{port}/repo.git/info/refs?service=git-upload-pack HTTP/1.1\\r\\nHost: 127.0.0.1:{port}\\r\\nProxy-Connection: keep-alive\\r\\n\\r\\n");
        Assert.StartsWith("HTTP/1.1 200", plain, StringComparison.Ordinal);
        Assert.Contains("Connection: close", plain, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("# service=git-upload-pack", plain, StringComparison.Ordinal);
        Assert.True(fixture.Git.HttpRequests >= before + 2, "both requests reached the server on the host's loopback");
    }

    [Fact]
    public async Task Egress_works_again_after_the_silo_restarts_and_after_a_sleep()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));
        var port = fixture.Git.HttpPort;
        var request = $"CONNECT 127.0.0.1:{port} HTTP/1.1\\r\\n\\r\\nGET /repo.git/info/refs HTTP/1.0\\r\\n\\r\\n";
        Assert.StartsWith("HTTP/1.1 200", await ProxyAsync(box, request), StringComparison.Ordinal);

        await _silo.RestartAsync();
        Assert.StartsWith("HTTP/1.1 200", await ProxyAsync(box, request), StringComparison.Ordinal);

        await box.SetSleepPolicyAsync(TimeSpan.FromSeconds(1));
        await Eventually.WaitAsync(() => box.GetInfoAsync(), i => i.State == SandboxState.Sleeping, TimeSpan.FromSeconds(60), "the sandbox to fall asleep");
        Assert.StartsWith("HTTP/1.1 200", await ProxyAsync(box, request), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosts_and_ports_not_in_the_list_are_refused_with_the_setting_to_change()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));
        var unlisted = FreePorts.Next();

        var answer = await ProxyAsync(box, $"CONNECT 127.0.0.1:{unlisted} HTTP/1.1\\r\\n\\r\\n");

        Assert.StartsWith("HTTP/1.1 403 Forbidden", answer, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{unlisted} is not in Egress:AllowedHosts", answer, StringComparison.Ordinal);
        Assert.Contains("Egress__AllowedHosts__0=", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("10.1.2.3")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")] // a name that resolves inward
    [InlineData("[::1]")]
    public async Task A_wildcard_rule_never_reaches_internal_addresses(string host)
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));

        var answer = await ProxyAsync(box, $"CONNECT {host}:443 HTTP/1.1\\r\\n\\r\\n");

        Assert.StartsWith("HTTP/1.1 403 Forbidden", answer, StringComparison.Ordinal);
        Assert.Contains("internal address", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_silos_own_port_is_refused_even_when_listed()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));

        var answer = await ProxyAsync(box, $"CONNECT 127.0.0.1:{fixture.GrpcPort} HTTP/1.1\\r\\n\\r\\n");

        Assert.StartsWith("HTTP/1.1 403 Forbidden", answer, StringComparison.Ordinal);
        Assert.Contains("never reach the control plane", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GARBAGE\\r\\n\\r\\n", "not an HTTP/1.x proxy request")]
    [InlineData("CONNECT nohostport HTTP/1.1\\r\\n\\r\\n", "CONNECT needs host:port")]
    [InlineData("GET /relative HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", "absolute http:// URL")]
    [InlineData("GET https://example.com/ HTTP/1.1\\r\\n\\r\\n", "https goes through CONNECT")]
    public async Task Malformed_proxy_requests_get_400_with_a_reason(string request, string reason)
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));

        var answer = await ProxyAsync(box, request);

        Assert.StartsWith("HTTP/1.1 400 Bad Request", answer, StringComparison.Ordinal);
        Assert.Contains(reason, answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_proxy_the_sandbox_has_no_route_out()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));

        // The allowed git daemon port, dialled directly: inside the sandbox's own network
        // namespace 127.0.0.1 is the sandbox itself, and nothing else is reachable.
        var direct = await box.ExecAsync(["python3", "-c", $"import socket; socket.create_connection(('127.0.0.1', {fixture.Git.DaemonPort}), timeout=5)"]);
        Assert.NotEqual(0, direct.ExitCode);
        Assert.Contains("Connection refused", direct.Stderr, StringComparison.Ordinal);

        var sockets = await box.ExecAsync("ls -l /.sandboxes/egress && touch /.sandboxes/egress/x");
        Assert.NotEqual(0, sockets.ExitCode);
        Assert.Contains("Read-only file system", sockets.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_in_the_sandbox_find_the_proxy_through_the_usual_variables()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));
        var url = $"http://127.0.0.1:{fixture.Git.HttpPort}/repo.git/info/refs?service=git-upload-pack";

        // 127.0.0.1 is in NO_PROXY (the sandbox's own servers); clearing it sends the request out.
        var fetched = await box.ExecAsync(
            ["python3", "-c", $"import urllib.request; print(urllib.request.urlopen('{url}', timeout=30).read().decode())"],
            new ExecOptions { Env = new Dictionary<string, string> { ["NO_PROXY"] = "", ["no_proxy"] = "" } });

        Assert.True(fetched.ExitCode == 0, fetched.Stderr);
        Assert.Contains("# service=git-upload-pack", fetched.Stdout, StringComparison.Ordinal);
    }
}
