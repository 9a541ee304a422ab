using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Egress;

/// <summary>
/// A local git server, a loopback HTTP origin, and a silo whose allow-list names exactly the
/// test's own loopback ports, the silo's own gRPC port (to prove it is refused anyway), any
/// public host on port 443 and any subdomain of allowed.test (to prove a wildcard never
/// reaches internal addresses and cannot be fooled by a NUL; no test connects out).
/// </summary>
public sealed class EgressFixture : IAsyncLifetime
{
    public GitServer Git { get; } = new();

    public LoopbackOrigin Origin { get; } = new();

    public int GrpcPort { get; } = FreePorts.Next();

    public TestSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Git.StartAsync();
        Silo = new TestSilo(new Dictionary<string, string?>
        {
            ["Sandboxes:GrpcUrl"] = $"http://127.0.0.1:{GrpcPort}",
            ["Egress:AllowedHosts:0"] = $"127.0.0.1:{Git.DaemonPort}",
            ["Egress:AllowedHosts:1"] = $"127.0.0.1:{Git.HttpPort}",
            ["Egress:AllowedHosts:2"] = $"127.0.0.1:{GrpcPort}",
            ["Egress:AllowedHosts:3"] = "*:443",
            ["Egress:AllowedHosts:4"] = $"127.0.0.1:{Origin.Port}",
            ["Egress:AllowedHosts:5"] = "*.allowed.test",
        });
        await Silo.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Git.DisposeAsync();
        await Origin.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EgressCollection : ICollectionFixture<EgressFixture>
{
    public const string Name = "egress";
}
