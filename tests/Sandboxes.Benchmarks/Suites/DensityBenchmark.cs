using Sandboxes.Benchmarks.Harness;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>How many idle sandboxes one host holds before the first failure, up to a named cap.</summary>
public sealed class DensityBenchmark : IBenchmark
{
    public string Title => "density";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var cap = context.Settings.DensityCap;
        if (cap == 0)
        {
            return;
        }

        await using var silo = await context.StartFreshSiloAsync();
        var reached = context.Metric("density_idle_sandboxes", "count", $"idle sandboxes running before the first failure (cap {cap})");
        var running = 0;
        var failed = false;
        await Parallel.ForEachAsync(Enumerable.Range(0, cap), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            if (Volatile.Read(ref failed))
            {
                return;
            }

            try
            {
                await silo.Client.Sandbox($"dense-{i}-{silo.RunId}").ExecAsync(["true"], cancellationToken: ct);
                Interlocked.Increment(ref running);
            }
            catch (Exception e)
            {
                Volatile.Write(ref failed, true);
                lock (reached)
                {
                    reached.Fail(e);
                }
            }
        });
        reached.Add(running);
        context.Metric("density_host_available", "MB", $"host MemAvailable with {running} idle sandboxes").Add(HostMemory.AvailableBytes() / 1048576.0);
    }
}
