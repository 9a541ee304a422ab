using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Egress;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Tests.Egress;

/// <summary>The allow-list's rules on their own, with IP literals only (no name resolution, no connection).</summary>
public sealed class EgressPolicyTests
{
    private static EgressPolicy Policy(params string[] allowed) => new(
        Options.Create(new EgressOptions { AllowedHosts = [.. allowed] }),
        Options.Create(new SandboxesOptions { GrpcUrl = "http://127.0.0.1:50051", SiloPort = 11111, GatewayPort = 30000, StorageConnectionString = "UseDevelopmentStorage=true" }));

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 9418, true)]            // listed exactly: any port
    [InlineData("127.0.0.1:9418", "127.0.0.1", 9418, true)]
    [InlineData("127.0.0.1:9418", "127.0.0.1", 9419, false)]
    [InlineData("127.0.0.1", "127.0.0.2", 80, false)]
    [InlineData("127.0.0.1", "127.0.0.1", 50051, false)]          // the silo's gRPC port
    [InlineData("127.0.0.1", "127.0.0.1", 10002, false)]          // its storage (Azurite)
    [InlineData("10.0.0.7:443", "10.0.0.7", 443, true)]
    [InlineData("*", "10.0.0.7", 443, false)]                     // wildcards stay public
    [InlineData("*", "169.254.169.254", 80, false)]
    [InlineData("*", "[::ffff:169.254.169.254]", 80, false)]      // IPv4-mapped is unwrapped
    [InlineData("*", "[fd00:ec2::254]", 80, false)]
    [InlineData("*", "0.0.0.0", 8080, false)]
    [InlineData("*", "93.184.215.14", 443, true)]
    [InlineData("*:443", "93.184.215.14", 80, false)]
    [InlineData("[::1]:8080", "[::1]", 8080, true)]
    public async Task Decides_by_rule_and_address(string rule, string host, int port, bool allowed)
    {
        var decision = await Policy(rule).DecideAsync(host, port, CancellationToken.None);

        Assert.True(decision.Allowed == allowed, decision.Denial ?? "allowed");
    }

    [Theory]
    [InlineData("*.example.com", "api.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "badexample.com", false)]
    [InlineData("Example.COM.", "example.com", true)]
    public void Wildcards_match_subdomains_only(string pattern, string host, bool matches)
    {
        Assert.True(EgressRule.TryParse(pattern, out var rule, out var error), error);
        Assert.Equal(matches, rule.Matches(host, 443));
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:0")]
    [InlineData("host:99999")]
    [InlineData("::1")]
    [InlineData("bad host")]
    [InlineData("[::1")]
    public void Malformed_patterns_stop_the_silo_with_the_setting_named(string pattern)
    {
        var result = new EgressOptionsValidator().Validate(null, new EgressOptions { AllowedHosts = [pattern] });

        Assert.True(result.Failed);
        Assert.Contains("Egress:AllowedHosts:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_list_binds_from_environment_variables()
    {
        Environment.SetEnvironmentVariable("SBXTEST_Egress__AllowedHosts__0", "git.example.org:9418");
        Environment.SetEnvironmentVariable("SBXTEST_Egress__AllowedHosts__1", "*.pypi.org");
        try
        {
            var options = new ConfigurationBuilder().AddEnvironmentVariables("SBXTEST_").Build().GetSection(EgressOptions.Section).Get<EgressOptions>();

            Assert.Equal(["git.example.org:9418", "*.pypi.org"], options!.AllowedHosts);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SBXTEST_Egress__AllowedHosts__0", null);
            Environment.SetEnvironmentVariable("SBXTEST_Egress__AllowedHosts__1", null);
        }
    }
}
