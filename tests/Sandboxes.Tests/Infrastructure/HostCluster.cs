using System.Globalization;
using System.Security.Cryptography;
using Sandboxes.Client;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>
/// A cluster of real hosts on this machine: each host is a silo process with its own Docker
/// engine (from SANDBOXES_TEST_ENGINES, which .ci/test-host.sh prepares), data root and ports;
/// all share one Orleans cluster, one Azurite and one cluster secret. A test can kill a host's
/// silo with SIGKILL and start it again.
/// </summary>
public sealed class HostCluster : IAsyncLifetime
{
    private readonly SiloProcess?[] _processes;

    public HostCluster()
    {
        var engines = TestEnvironment.ClusterEngines;
        var cluster = $"sbxcluster-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Hosts = [.. engines.Select((engine, i) => new TestSilo(new Dictionary<string, string?>
        {
            ["Sandboxes:HostName"] = HostName(i),
            ["Sandboxes:DockerEndpoint"] = engine,
            ["Sandboxes:ClusterId"] = cluster,
            ["Sandboxes:ServiceId"] = cluster,
            ["Sandboxes:ClusterSecret"] = secret,
        }))];
        _processes = new SiloProcess?[Hosts.Count];
    }

    public IReadOnlyList<TestSilo> Hosts { get; }

    /// <summary>Where each host's silo output goes (kept after the run, overwritten by the next).</summary>
    public static string LogOf(int index) => Path.Combine(Path.GetTempPath(), $"sandboxes-test-cluster-{HostName(index)}.log");

    public static string HostName(int index) => $"h{(index + 1).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The admin key the first host minted; keys live in shared storage, so every silo takes it.</summary>
    public string AdminKey => Hosts[0].AdminKey;

    /// <summary>A client that talks to one host's silo only.</summary>
    public SandboxClient ClientOf(int host) => new(Hosts[host].GrpcUrl, AdminKey);

    public async Task InitializeAsync()
    {
        for (var i = 0; i < Hosts.Count; i++)
        {
            File.Delete(LogOf(i));
        }

        // The first host alone mints the admin key; the others find it in storage.
        _processes[0] = await SiloProcess.StartAsync(Hosts[0], LogOf(0));
        await Task.WhenAll(Enumerable.Range(1, Hosts.Count - 1).Select(async i => _processes[i] = await SiloProcess.StartAsync(Hosts[i], LogOf(i))));
        await WaitForHostsAsync();
    }

    /// <summary>SIGKILL of one host's silo: its containers keep running, as after a crash.</summary>
    public async Task KillAsync(int host)
    {
        await _processes[host]!.DisposeAsync();
        _processes[host] = null;
    }

    public async Task StartAsync(int host)
    {
        _processes[host] = await SiloProcess.StartAsync(Hosts[host], LogOf(host));
        await WaitForHostsAsync();
    }

    /// <summary>Until every host's silo has reported its load, so placement may choose any of them.</summary>
    public async Task WaitForHostsAsync()
    {
        using var client = ClientOf(0);
        await Eventually.WaitAsync(
            async () => (await client.Hosts.ListAsync()).Count(h => h.Up && h.Reported.ToDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(-20)),
            up => up == Hosts.Count,
            TimeSpan.FromSeconds(60),
            $"all {Hosts.Count} hosts up and reporting");
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        // Every host is cleaned up even when one of them fails to.
        var failures = new List<Exception>();
        foreach (var host in Hosts)
        {
            try
            {
                await host.DisposeAsync();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("cleaning up the cluster's hosts failed", failures);
        }
    }
}
