using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>
/// Silo resident memory with 0, 10, 50 and 100 idle sandboxes, on a fresh silo so other
/// benchmarks' garbage does not count. Also the agent's own resident memory.
/// </summary>
public sealed class IdleMemoryBenchmark : IBenchmark
{
    public string Title => "idle memory";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await using var silo = await context.StartFreshSiloAsync();
        var warm = silo.Client.Sandbox($"warm-{silo.RunId}");
        await warm.ExecAsync(["true"], cancellationToken: cancellationToken);
        await warm.DestroyAsync(cancellationToken);
        var baseline = await SettledResidentAsync(silo, cancellationToken);
        context.Metric("silo_rss_baseline", "MB", "silo resident memory with no sandbox").Add(baseline / 1048576.0);

        var created = 0;
        var points = new List<(int Count, long Bytes)>();
        foreach (var target in context.Settings.IdleSandboxCounts)
        {
            var failures = context.Metric("idle_sandbox_create_failures", "count", "sandboxes that failed to start during the memory run");
            await Parallel.ForEachAsync(Enumerable.Range(created, target - created), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                try
                {
                    await silo.Client.Sandbox($"idle-{i}-{silo.RunId}").ExecAsync(["true"], cancellationToken: ct);
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Fail(e);
                    }
                }
            });
            created = target;
            var resident = await SettledResidentAsync(silo, cancellationToken);
            points.Add((target, resident));
            context.Metric($"silo_rss_{target}_idle", "MB", $"silo resident memory with {target} idle sandboxes").Add(resident / 1048576.0);
        }

        var last = points[^1];
        context.Metric("silo_kb_per_idle_sandbox", "KB", $"(silo RSS at {last.Count} - baseline) / {last.Count}").Add((last.Bytes - baseline) / 1024.0 / last.Count);
        var agents = context.Metric("agent_rss", "MB", "sandboxd resident memory, idle, per sandbox");
        var agentsPrivate = context.Metric("agent_private", "MB", "sandboxd anonymous memory (its binary's pages are shared by all sandboxes)");
        foreach (var i in Enumerable.Range(0, Math.Min(created, 20)))
        {
            var id = await silo.ContainerIdAsync($"idle-{i}-{silo.RunId}");
            var inspect = await context.Docker.Containers.InspectContainerAsync(id, cancellationToken);
            foreach (var agentPid in ProcMemory.Children((int)inspect.State!.Pid))
            {
                agents.Add(ProcMemory.ResidentBytes(agentPid) / 1048576.0);
                agentsPrivate.Add(ProcMemory.PrivateBytes(agentPid) / 1048576.0);
            }
        }
    }

    /// <summary>The silo's resident memory once it stops moving: two reads in a row within 1%.</summary>
    private static async Task<long> SettledResidentAsync(SiloUnderTest silo, CancellationToken cancellationToken)
    {
        var previous = 0L;
        return await Poll.UntilAsync(
            () => Task.FromResult(silo.ResidentBytes()),
            current =>
            {
                var settled = previous > 0 && Math.Abs(current - previous) < previous / 100;
                previous = current;
                return settled;
            },
            TimeSpan.FromSeconds(30),
            "the silo's memory to settle",
            cancellationToken);
    }
}
