using System.Diagnostics;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sandboxes.Tests.Cluster;

/// <summary>
/// A host lost and back: its silo killed with SIGKILL, its engine stopped. The other hosts'
/// sandboxes do not notice; the lost host's sandboxes answer UNAVAILABLE naming it, quickly,
/// and come back with their files and processes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HostFailureTests(HostCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_killed_silo_disturbs_no_other_host_and_its_sandboxes_come_back_whole()
    {
        using var client = cluster.ClientOf(0);
        var elsewhere = Enumerable.Range(1, 2).Select(h => client.Sandbox(cluster.Hosts[0].UniqueName($"calm-h{h}"))).ToArray();
        await client.CreateAsync(elsewhere[0].Name, new SandboxOptions(), "h1");
        await client.CreateAsync(elsewhere[1].Name, new SandboxOptions(), "h2");
        var lost = client.Sandbox(cluster.Hosts[0].UniqueName("lost"));
        await client.CreateAsync(lost.Name, new SandboxOptions(), "h3");
        await lost.Files.WriteTextAsync("/root/kept.txt", "kept");
        await lost.ExecAsync("nohup sleep 1007 >/dev/null 2>&1 &");

        // Calls to the other hosts' sandboxes all through the kill, bounded in count and time.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var calls = 0;
        var failures = new List<string>();
        var steady = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && calls < 2000)
            {
                foreach (var box in elsewhere)
                {
                    try
                    {
                        await box.ExecAsync("true");
                    }
                    catch (RpcException e)
                    {
                        failures.Add($"{box.Name}: {e.StatusCode} {e.Status.Detail}");
                    }

                    calls++;
                }

                await Task.Delay(50);
            }
        });

        await cluster.KillAsync(2);
        var clock = Stopwatch.StartNew();

        // Until Orleans declares the silo dead, and after: every call fails fast, naming the host.
        var slowest = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var call = Stopwatch.StartNew();
            var refused = await Assert.ThrowsAsync<RpcException>(() => lost.ExecAsync("true"));
            call.Stop();
            slowest = call.Elapsed > slowest ? call.Elapsed : slowest;
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Contains("'h3'", refused.Status.Detail, StringComparison.Ordinal);
            Assert.True(call.Elapsed < FailFast, $"a call for a sandbox of the killed host took {call.Elapsed.TotalSeconds:0.0} s to fail");
            await Task.Delay(500);
        }

        var restarted = Stopwatch.StartNew();
        await cluster.StartAsync(2);
        var back = await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return (await lost.ExecAsync("cat /root/kept.txt; ps -eo args | grep -c '^sleep 1007'")).Stdout;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    return e.Status.Detail;
                }
            },
            answer => answer.StartsWith("kept", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60),
            "the killed host's sandbox to answer again");
        var recovery = restarted.Elapsed;

        await stop.CancelAsync();
        await steady;
        output.WriteLine($"kill -9 of h3: {calls} calls to h1/h2 sandboxes during it, {failures.Count} failed; slowest refusal for h3's sandbox {slowest.TotalMilliseconds:0} ms; back {recovery.TotalSeconds:0.0} s after the silo was started again");
        Assert.Empty(failures);
        Assert.Equal("kept1\n", back);
    }

    [Fact]
    public async Task A_stopped_engine_keeps_its_running_sandboxes_and_refuses_only_starts_until_it_is_back()
    {
        using var client = cluster.ClientOf(0);
        var running = client.Sandbox(cluster.Hosts[0].UniqueName("engine-up"));
        await client.CreateAsync(running.Name, new SandboxOptions(), "h2");
        await running.ExecAsync("nohup sleep 1009 >/dev/null 2>&1 &");
        var asleep = client.Sandbox(cluster.Hosts[0].UniqueName("engine-asleep"));
        await client.CreateAsync(asleep.Name, new SandboxOptions { SleepAfter = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) }, "h2");
        await Eventually.WaitAsync(async () => (await asleep.GetInfoAsync()).State, s => s == SandboxState.Sleeping, TimeSpan.FromSeconds(30), "the sandbox to fall asleep");

        var engine = TestEngine.Of(cluster.Hosts[1]);
        Assert.True((await cluster.Hosts[1].Docker.System.GetSystemInfoAsync()).LiveRestoreEnabled, "the engine runs without --live-restore; .ci/prepare-host.sh engine restarts it with it once no container runs in it");
        await engine.StopAsync();
        try
        {
            // Live restore: the running sandbox and its processes carry on without the engine.
            Assert.Equal("1\n", (await running.ExecAsync("ps -eo args | grep -c '^sleep 1009'")).Stdout);

            var clock = Stopwatch.StartNew();
            var refused = await Assert.ThrowsAsync<RpcException>(() => asleep.ExecAsync("true"));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Contains("'h2'", refused.Status.Detail, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < FailFast, $"a start on a stopped engine took {clock.Elapsed.TotalSeconds:0.0} s to fail");
        }
        finally
        {
            await engine.StartAsync();
        }

        Assert.Equal(0, (await asleep.ExecAsync("true")).ExitCode);
        Assert.Equal("1\n", (await running.ExecAsync("ps -eo args | grep -c '^sleep 1009'")).Stdout);
    }
}
