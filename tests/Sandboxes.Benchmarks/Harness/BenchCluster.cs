using System.Globalization;
using System.Security.Cryptography;
using Docker.DotNet;

namespace Sandboxes.Benchmarks.Harness;

/// <summary>
/// Several hosts on this machine in one Orleans cluster, as the cluster tests start them: a
/// silo process per host, each with its own Docker engine and data root, sharing one cluster
/// id, one secret and one Azurite. Disposing it stops every silo and removes what each made.
/// </summary>
public sealed class BenchCluster : IAsyncDisposable
{
    private static readonly string[] ExtraEngines = ["unix:///var/lib/sbx-t2/engine/docker.sock", "unix:///var/lib/sbx-t3/engine/docker.sock"];

    private readonly SiloUnderTest?[] _hosts;
    private readonly List<DockerClient> _engines = [];

    private BenchCluster(int hosts) => _hosts = new SiloUnderTest?[hosts];

    /// <summary>One silo per host, in host-name order (h1, h2, ...).</summary>
    public IReadOnlyList<SiloUnderTest> Hosts => [.. _hosts.Select(h => h ?? throw new InvalidOperationException("the cluster has not started"))];

    /// <summary>
    /// Every engine this machine has for hosts, the product's own first: SANDBOXES_TEST_ENGINES
    /// (which .ci/test-host.sh exports), else the own engine and the two the test host prepares.
    /// </summary>
    public static IReadOnlyList<string> Engines =>
        Environment.GetEnvironmentVariable("SANDBOXES_TEST_ENGINES")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } engines
            ? engines
            : [BenchmarkRun.DockerEndpoint, .. ExtraEngines];

    public static string HostName(int index) => $"h{(index + 1).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts one host per engine, the first alone (it mints the admin key), then waits until every host reports.</summary>
    public static async Task<BenchCluster> StartAsync(
        IReadOnlyList<string> engines, string image, string agentDirectory, string storage, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var cluster = new BenchCluster(engines.Count);
        var id = $"sbxbench-cluster-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        try
        {
            Task<SiloUnderTest> Start(int i, string? adminKey)
            {
                var docker = new DockerClientBuilder().WithEndpoint(new Uri(engines[i])).Build();
                lock (cluster._engines)
                {
                    cluster._engines.Add(docker);
                }

                var overrides = new Dictionary<string, string>(settings)
                {
                    ["Sandboxes:HostName"] = HostName(i),
                    ["Sandboxes:DockerEndpoint"] = engines[i],
                    ["Sandboxes:ClusterId"] = id,
                    ["Sandboxes:ServiceId"] = id,
                    ["Sandboxes:ClusterSecret"] = secret,
                };
                return SiloUnderTest.StartAsync(docker, image, agentDirectory, storage, overrides, adminKey);
            }

            var first = cluster._hosts[0] = await Start(0, null);
            await Task.WhenAll(Enumerable.Range(1, engines.Count - 1).Select(async i => cluster._hosts[i] = await Start(i, first.AdminKey)));
            await Poll.UntilAsync(
                async () => (await first.Client.Hosts.ListAsync(cancellationToken)).Count(h => h.Up && h.Reported.ToDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(-20)),
                up => up == engines.Count,
                TimeSpan.FromSeconds(60),
                $"all {engines.Count} hosts of the cluster up and reporting",
                cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Every host is cleaned up even when one of them fails to.
        var failures = new List<Exception>();
        foreach (var host in _hosts.OfType<SiloUnderTest>())
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

        foreach (var engine in _engines)
        {
            engine.Dispose();
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("cleaning up the benchmark cluster's hosts failed", failures);
        }
    }
}
