using Sandboxes.Benchmarks.Harness;
using Sandboxes.Client;
using Sandboxes.Protocol;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>
/// What the cluster costs and what it buys, on clusters of its own (silo processes, an engine
/// each): exec and a 100 MB read of one sandbox on host h2 through h1's silo, which forwards
/// the call, against h2's own silo, alternating; and bursts of creates on three hosts against
/// one host, alternating. All hosts share this machine's cores, so only the ratios mean much.
/// </summary>
public sealed class ClusterBenchmark : IBenchmark
{
    private const int Batches = 10;
    private const long LargeFile = 100L << 20;

    /// <summary>
    /// No warm interpreter per sandbox: it costs half a CPU-second after each create, which on
    /// a burst of a hundred on shared cores would measure the interpreters, not the cluster.
    /// </summary>
    private static readonly Dictionary<string, string> HostSettings = new() { ["Sandboxes:CodePrestart"] = "none" };

    public string Title => "cluster";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var engines = BenchCluster.Engines;
        if (engines.Count < 3)
        {
            throw new InvalidOperationException($"the cluster benchmark needs three engines in SANDBOXES_TEST_ENGINES, found {engines.Count}; run it through bench.sh (.ci/test-host.sh prepares them)");
        }

        var three = context.StartClusterAsync([.. engines.Take(3)], HostSettings, cancellationToken);
        var one = context.StartClusterAsync([engines[0]], HostSettings, cancellationToken);
        var finished = false;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll(three, one);
            Console.Write($"[clusters up: {clock.Elapsed.TotalSeconds:0} s] ");
            await RelayAsync(context, three.Result, cancellationToken);
            Console.Write($"[relay: {clock.Elapsed.TotalSeconds:0} s] ");
            await BurstsAsync(context, three.Result, one.Result, cancellationToken);
            finished = true;
        }
        finally
        {
            await StopAsync([three, one], rethrow: finished);
        }
    }

    /// <summary>Stops every cluster that started, each even when another fails to; a cleanup failure never hides the run's own.</summary>
    private static async Task StopAsync(Task<BenchCluster>[] clusters, bool rethrow)
    {
        var failures = new List<Exception>();
        foreach (var cluster in clusters.Where(t => t.IsCompletedSuccessfully))
        {
            try
            {
                await cluster.Result.DisposeAsync();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"cluster cleanup: {e.Message}");
                failures.Add(e);
            }
        }

        if (rethrow && failures.Count > 0)
        {
            throw new AggregateException("stopping the benchmark clusters failed", failures);
        }
    }

    private static async Task RelayAsync(BenchContext context, BenchCluster cluster, CancellationToken cancellationToken)
    {
        var relayedExec = context.Metric("exec_relayed", "ms", "exec true, sequential, through a silo that does not own the sandbox (forwarded)");
        var ownerExec = context.Metric("exec_owner", "ms", "exec true, sequential, through the sandbox's own silo, same cluster and sandbox");
        var relayedRead = context.Metric("file_read_100mb_relayed", "MB/s", "100mb sandbox -> host file through a silo that does not own the sandbox");
        var ownerRead = context.Metric("file_read_100mb_owner", "MB/s", "100mb sandbox -> host file through the sandbox's own silo");
        var name = context.NewSandboxName("relay");
        var owner = cluster.Hosts[1].Client;
        await owner.CreateAsync(name, new SandboxOptions(), BenchCluster.HostName(1), cancellationToken);
        var host = (await owner.Sandbox(name).GetInfoAsync(cancellationToken)).Host;
        if (host != BenchCluster.HostName(1))
        {
            throw new InvalidOperationException($"the relay sandbox landed on {host}, not on {BenchCluster.HostName(1)} as asked");
        }

        // Even rounds go through the relay first, odd ones through the owner first, so neither gains from order.
        var paths = new[] { (Box: cluster.Hosts[0].Client.Sandbox(name), Exec: relayedExec, Read: relayedRead), (Box: owner.Sandbox(name), Exec: ownerExec, Read: ownerRead) };
        var warmUp = new Samples("warm-up", "ms", "");
        for (var i = 0; i < context.Settings.WarmUp; i++)
        {
            foreach (var path in paths)
            {
                await BenchContext.TimeAsync(warmUp, () => path.Box.ExecAsync(["true"], cancellationToken: cancellationToken));
            }
        }

        for (var batch = 0; batch < Batches; batch++)
        {
            foreach (var path in batch % 2 == 0 ? paths : Enumerable.Reverse(paths))
            {
                for (var i = 0; i < context.Settings.ExecRounds / Batches; i++)
                {
                    await BenchContext.TimeAsync(path.Exec, () => path.Box.ExecAsync(["true"], cancellationToken: cancellationToken));
                }
            }
        }

        var made = await owner.Sandbox(name).ExecAsync($"head -c {LargeFile} /dev/urandom > /tmp/blob", cancellationToken: cancellationToken);
        if (made.ExitCode != 0)
        {
            throw new InvalidOperationException($"could not write the 100 MB file in the sandbox: {made.Stderr}");
        }

        var target = Path.Combine(cluster.Hosts[0].DataRoot, "read-100mb.bin");
        var warmUpRate = new Samples("warm-up", "MB/s", "");
        for (var round = -1; round < context.Settings.LargeFileRounds; round++)
        {
            foreach (var path in round % 2 == 0 ? paths : Enumerable.Reverse(paths))
            {
                await BenchContext.RateAsync(round >= 0 ? path.Read : warmUpRate, LargeFile, async () =>
                {
                    await using var file = File.Create(target);
                    await path.Box.Files.ReadAsync("/tmp/blob", file, cancellationToken: cancellationToken);
                });
            }
        }

        File.Delete(target);
        await owner.Sandbox(name).DestroyAsync(cancellationToken);
    }

    private static async Task BurstsAsync(BenchContext context, BenchCluster three, BenchCluster one, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var clusters = new[]
        {
            (Cluster: three, Label: "3hosts", Rate: context.Metric("create_burst_3hosts", "creates/s", $"{settings.BurstCreates} creates, {settings.BurstConcurrency} at a time, over a three-host cluster's silos"),
                Refused: context.Metric("create_burst_3hosts_refused", "count", "creates of a three-host burst refused (RESOURCE_EXHAUSTED) and retried after the suggested delay")),
            (Cluster: one, Label: "1host", Rate: context.Metric("create_burst_1host", "creates/s", $"{settings.BurstCreates} creates, {settings.BurstConcurrency} at a time, on a one-host cluster"),
                Refused: context.Metric("create_burst_1host_refused", "count", "creates of a one-host burst refused (RESOURCE_EXHAUSTED) and retried after the suggested delay")),
        };

        // Every host's engine makes one sandbox first, so no burst pays for a cold engine.
        foreach (var cluster in new[] { three, one })
        {
            for (var i = 0; i < cluster.Hosts.Count; i++)
            {
                var name = context.NewSandboxName("burst-warm");
                await cluster.Hosts[i].Client.CreateAsync(name, new SandboxOptions(), BenchCluster.HostName(i), cancellationToken);
                await cluster.Hosts[i].Client.Sandbox(name).DestroyAsync(cancellationToken);
            }
        }

        for (var round = 0; round < settings.BurstRounds; round++)
        {
            foreach (var burst in round % 2 == 0 ? clusters : Enumerable.Reverse(clusters))
            {
                var gateways = burst.Cluster.Hosts.Select(h => h.Client).ToArray();
                var outcome = await CreateBurst.RunAsync(gateways, context.NewSandboxName($"burst{burst.Label}"), settings.BurstCreates, settings.BurstConcurrency, cancellationToken);
                burst.Refused.Add(outcome.Refused);
                if (outcome.Failures.Count > 0 || outcome.Made != settings.BurstCreates)
                {
                    burst.Rate.Fail(new InvalidOperationException($"{outcome.Made} of {settings.BurstCreates} made; {outcome.Failures.Count} failed, first: {(outcome.Failures.Count > 0 ? outcome.Failures[0] : "none")}"));
                    continue;
                }

                burst.Rate.Add(outcome.Made / outcome.Elapsed.TotalSeconds);
                if (outcome.LeftOver.Count > 0)
                {
                    // Counted, not fatal: the cluster's cleanup removes them, but they load the next burst's engine.
                    burst.Rate.Fail(new InvalidOperationException($"{outcome.LeftOver.Count} not destroyed after the burst, first: {outcome.LeftOver[0]}"));
                }

                Console.Write($"[{burst.Label}: {outcome.Elapsed.TotalSeconds:0.0} s, {string.Join(" ", outcome.ByHost.OrderBy(h => h.Key).Select(h => $"{h.Key}={h.Value}"))}, {outcome.Refused} refused] ");
            }
        }
    }
}
