using System.Net;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Egress;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Tests.Egress;

/// <summary>
/// Which hosts the egress proxy accepts at all, and which addresses count as internal. No
/// name here is looked up on the network: refused names never reach the resolver, and the
/// policy cases use IP literals or names that resolve from /etc/hosts.
/// </summary>
public sealed class EgressHostTests
{
    private static EgressPolicy Policy(params string[] allowed) => new(
        Options.Create(new EgressOptions { AllowedHosts = [.. allowed] }),
        Options.Create(new SandboxesOptions { GrpcUrl = "http://127.0.0.1:50051", SiloPort = 11111, GatewayPort = 30000, StorageConnectionString = "UseDevelopmentStorage=true" }));

    [Theory]
    [InlineData("localhost\0.allowed.test")]   // the resolver reads a C string and stops at the NUL
    [InlineData("evil.example\0.github.com")]
    [InlineData("allowed.test\0")]
    [InlineData("allowed.test garbage")]
    [InlineData("allowed.test/path")]
    [InlineData("allowed.test\r\nX: y")]
    [InlineData("allowed.test..")]
    [InlineData(".allowed.test")]
    [InlineData("a..test")]
    [InlineData("under_score.test")]
    [InlineData("-lead.test")]
    [InlineData("trail-.test")]
    [InlineData("b\u00fccher.test")]            // a byte past ASCII on the wire: punycode is the wire form
    [InlineData("xn--zz.test")]                  // not valid punycode
    [InlineData("127.1")]                         // inet_aton reads these as 127.0.0.1
    [InlineData("0177.0.0.1")]
    [InlineData("01.2.3.4")]
    [InlineData("2130706433")]
    [InlineData("0x7f000001")]
    [InlineData("evil.0x7f")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    public void Requests_name_only_strictly_valid_hosts(string host)
    {
        Assert.False(EgressHost.TryCanonical(host, bracketed: false, allowUnicode: false, out _, out var error));
        Assert.DoesNotContain('\0', error);
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("Allowed.TEST.", false, "allowed.test")]
    [InlineData("xn--bcher-kva.example", false, "xn--bcher-kva.example")]
    [InlineData("a-b.c0.example", false, "a-b.c0.example")]
    [InlineData("10.0.0.7", false, "10.0.0.7")]
    [InlineData("0.0.0.0", false, "0.0.0.0")]
    [InlineData("::FFFF:127.0.0.1", true, "::ffff:127.0.0.1")]
    [InlineData("2001:DB8::1", true, "2001:db8::1")]
    public void Valid_hosts_come_out_in_one_canonical_spelling(string host, bool bracketed, string canonical)
    {
        Assert.True(EgressHost.TryCanonical(host, bracketed, allowUnicode: false, out var result, out var error), error);
        Assert.Equal(canonical, result);
    }

    [Theory]
    [InlineData("fe80::1%eth0")]   // a zone id picks an interface
    [InlineData("fe80::1%25eth0")]
    [InlineData("1.2.3.4")]        // brackets hold IPv6 only
    [InlineData("allowed.test")]
    public void Brackets_hold_a_plain_ipv6_address(string host) =>
        Assert.False(EgressHost.TryCanonical(host, bracketed: true, allowUnicode: false, out _, out _));

    [Fact]
    public void Lengths_are_bounded_per_label_and_in_all()
    {
        var label63 = new string('a', 63);
        Assert.True(EgressHost.TryCanonical($"{label63}.test", false, false, out _, out var error), error);
        Assert.False(EgressHost.TryCanonical($"{label63}a.test", false, false, out _, out error));
        Assert.Contains("63", error, StringComparison.Ordinal);

        var name253 = $"{new string('a', 63)}.{new string('b', 63)}.{new string('c', 63)}.{new string('d', 61)}";
        Assert.Equal(253, name253.Length);
        Assert.True(EgressHost.TryCanonical(name253, false, false, out _, out error), error);
        Assert.False(EgressHost.TryCanonical("e." + name253, false, false, out _, out error));
        Assert.Contains("253", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_may_be_written_in_unicode_and_match_the_punycode_on_the_wire()
    {
        Assert.True(EgressRule.TryParse("*.bücher.example", out var rule, out var error), error);
        Assert.True(rule.Matches("www.xn--bcher-kva.example", 443));
        Assert.False(EgressRule.TryParse("*.under_score.example", out _, out _));
        Assert.False(EgressRule.TryParse("127.1", out _, out _));
    }

    [Fact]
    public async Task A_nul_in_the_host_is_refused_before_any_lookup()
    {
        // Before: the rule matched the whole text, the resolver looked up "localhost", and the
        // answer was about 127.0.0.1; with evil.com in front, it connected to evil.com.
        var decision = await Policy("*.allowed.test").DecideAsync("localhost\0.allowed.test", 443, CancellationToken.None);

        Assert.False(decision.Allowed);
        Assert.Contains("not a valid host name", decision.Denial, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", decision.Denial, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("64:ff9b::a9fe:a9fe", false)]       // NAT64 of 169.254.169.254 (metadata)
    [InlineData("64:ff9b::7f00:1", false)]          // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a00:1", false)]           // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::5db8:d70e", true)]        // NAT64 of a public address
    [InlineData("64:ff9b:1::5db8:d70e", false)]     // local-use NAT64: a translator on this network
    [InlineData("2002:a9fe:a9fe::1", false)]        // 6to4 via 169.254.169.254
    [InlineData("2002:c0a8:101::1", false)]         // 6to4 via 192.168.1.1
    [InlineData("2002:5db8:d70e::1", true)]
    [InlineData("fec0::1", false)]                  // site-local (deprecated, still routed by some networks)
    [InlineData("::a9fe:a9fe", false)]              // IPv4-compatible
    [InlineData("::5db8:d70e", true)]
    [InlineData("::ffff:0:a9fe:a9fe", false)]       // IPv4-translated
    [InlineData("::ffff:a9fe:a9fe", false)]         // IPv4-mapped
    [InlineData("2001:0:5db8:d70e::1", false)]      // Teredo hides its destination
    [InlineData("2606:4700::1111", true)]
    public async Task Ipv6_that_carries_ipv4_is_judged_by_the_ipv4_it_carries(string address, bool allowed)
    {
        var decision = await Policy("*").DecideAsync($"[{address}]", 443, CancellationToken.None);

        Assert.True(decision.Allowed == allowed, decision.Denial ?? "allowed");
    }

    [Fact]
    public void This_hosts_own_addresses_are_internal_on_every_port_even_when_public()
    {
        var own = IPAddress.Parse("93.184.215.14");
        var local = new HashSet<IPAddress> { own };

        Assert.False(InternalAddresses.Contains(own));
        Assert.True(InternalAddresses.IsInternal(own, local));
        Assert.True(InternalAddresses.IsInternal(IPAddress.Parse("64:ff9b::5db8:d70e"), local));
        Assert.True(InternalAddresses.IsInternal(IPAddress.Parse("::ffff:93.184.215.14"), local));
        Assert.False(InternalAddresses.IsInternal(IPAddress.Parse("93.184.215.15"), local));
    }

    [Fact]
    public async Task A_wildcard_never_reaches_an_address_of_this_host_on_any_port()
    {
        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .First(a => !IPAddress.IsLoopback(a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);

        var decision = await Policy("*").DecideAsync(own.ToString(), 8080, CancellationToken.None);

        Assert.False(decision.Allowed, $"{own}:8080 was allowed");
        Assert.Contains("internal address", decision.Denial, StringComparison.Ordinal);
    }
}
