using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Egress;

/// <summary>
/// Requests that try to reach a host other than the one the allow-list checks, sent from
/// inside a real sandbox through sandboxd's proxy port to the silo. Every host named here
/// resolves from /etc/hosts or is refused before any lookup; the only server reached is the
/// fixture's loopback origin, which counts what arrives.
/// </summary>
[Collection(EgressCollection.Name)]
public sealed class EgressEscapeTests(EgressFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    private LoopbackOrigin Origin => fixture.Origin;

    [Theory]
    [InlineData("CONNECT localhost\\x00.allowed.test:{0} HTTP/1.1\\r\\n\\r\\n")]
    [InlineData("CONNECT 127.0.0.1\\x00.allowed.test:{0} HTTP/1.1\\r\\n\\r\\n")]
    [InlineData("GET http://localhost\\x00.allowed.test:{0}/ HTTP/1.1\\r\\n\\r\\n")]
    public async Task A_nul_in_the_host_is_refused_before_any_lookup_or_connection(string request)
    {
        // Before: *.allowed.test matched the whole text and the resolver stopped at the NUL, so
        // the proxy looked up "localhost" (a wildcard then refused 127.0.0.1; evil.com would have
        // been let through). Now the request is refused as malformed, with the byte shown.
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));
        var before = Origin.Connections;

        var answer = await EgressTests.ProxyAsync(box, string.Format(System.Globalization.CultureInfo.InvariantCulture, request, Origin.Port));

        Assert.StartsWith("HTTP/1.1 400 Bad Request", answer, StringComparison.Ordinal);
        Assert.Contains("control character", answer, StringComparison.Ordinal);
        Assert.Contains("\\x00.allowed.test", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("internal address", answer, StringComparison.Ordinal);
        Assert.Equal(before, Origin.Connections);
    }

    [Theory]
    [InlineData("Host: evil.example\\r\\n", "does not name the request's target")]                       // domain fronting
    [InlineData("Host: 127.0.0.1:{0}\\r\\nHost: evil.example\\r\\n", "more than one Host header")]
    [InlineData("Host: 127.0.0.1:{0}\\r\\nX-Note: a\\nHost: evil.example\\r\\n", "control character")]    // a bare LF the origin may read as a line end
    [InlineData("Host: 127.0.0.1:{0}\\r\\n Host: evil.example\\r\\n", "folded")]
    public async Task A_plain_request_cannot_tell_the_origin_another_host(string headers, string reason)
    {
        // Before: the request went to the checked address with the client's own Host header,
        // so a shared server (a CDN, a virtual host) served whichever site the sandbox named.
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));
        var before = Origin.Connections;
        var request = $"GET http://127.0.0.1:{Origin.Port}/ HTTP/1.1\\r\\n{string.Format(System.Globalization.CultureInfo.InvariantCulture, headers, Origin.Port)}\\r\\n";

        var answer = await EgressTests.ProxyAsync(box, request);

        Assert.StartsWith("HTTP/1.1 400 Bad Request", answer, StringComparison.Ordinal);
        Assert.Contains(reason, answer, StringComparison.Ordinal);
        Assert.Equal(before, Origin.Connections);
        Assert.DoesNotContain(Origin.Heads, h => h.Contains("evil.example", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("HTTP/1.1\\r\\nHost: 127.0.0.1:{0}")]
    [InlineData("HTTP/1.0")] // no Host header at all: the proxy supplies the checked one
    public async Task The_origin_hears_exactly_the_checked_host(string versionAndHost)
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("egress"));
        Origin.Heads.Clear();
        var request = $"GET http://127.0.0.1:{Origin.Port}/path?q=1 {string.Format(System.Globalization.CultureInfo.InvariantCulture, versionAndHost, Origin.Port)}\\r\\n\\r\\n";

        var answer = await EgressTests.ProxyAsync(box, request);

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        var head = Assert.Single(Origin.Heads);
        Assert.StartsWith("GET /path?q=1 HTTP/1.1\r\n", head, StringComparison.Ordinal);
        Assert.Single(head.Split("\r\n"), line => line.StartsWith("Host:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains($"\r\nHost: 127.0.0.1:{Origin.Port}\r\n", head, StringComparison.Ordinal);
    }
}
