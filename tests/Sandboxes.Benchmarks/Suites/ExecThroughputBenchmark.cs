using System.Diagnostics;
using Sandboxes.Benchmarks.Baselines;
using Sandboxes.Benchmarks.Harness;
using Sandboxes.Client;

namespace Sandboxes.Benchmarks.Suites;

/// <summary>N parallel clients over M sandboxes for a fixed window, then the Docker API at the same parallelism.</summary>
public sealed class ExecThroughputBenchmark : IBenchmark
{
    public string Title => "exec throughput";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var boxes = new List<Sandbox>();
        var containers = new List<string>();
        for (var i = 0; i < settings.ThroughputSandboxes; i++)
        {
            var box = context.Client.Sandbox(context.NewSandboxName("tput"));
            await box.ExecAsync(["true"], cancellationToken: cancellationToken);
            boxes.Add(box);
            containers.Add(await context.Silo.ContainerIdAsync(box.Name));
        }

        var api = new DockerApi(context.Docker, context.Silo.Owner);
        var product = context.Metric("exec_throughput", "exec/s", $"{settings.ThroughputClients} clients over {settings.ThroughputSandboxes} sandboxes (SDK)");
        var baseline = context.Metric("docker_api_exec_throughput", "exec/s", $"{settings.ThroughputClients} clients over {settings.ThroughputSandboxes} containers (Docker API)");

        // Two alternating windows each, so drift hits both sides alike.
        for (var window = 0; window < 2; window++)
        {
            await MeasureAsync(product, settings, i => boxes[i % boxes.Count].ExecAsync(["true"], cancellationToken: cancellationToken));
            await MeasureAsync(baseline, settings, i => api.ExecAsync(containers[i % containers.Count], ["true"], cancellationToken));
        }

        foreach (var box in boxes)
        {
            await box.DestroyAsync(cancellationToken);
        }
    }

    private static async Task MeasureAsync(Samples into, BenchSettings settings, Func<int, Task> exec)
    {
        var completed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.ThroughputClients).Select(async client =>
        {
            while (clock.Elapsed < settings.ThroughputWindow)
            {
                try
                {
                    await exec(client);
                    Interlocked.Increment(ref completed);
                }
                catch (Exception e)
                {
                    lock (into)
                    {
                        into.Fail(e);
                    }
                }
            }
        }));
        into.Add(completed / clock.Elapsed.TotalSeconds);
    }
}
