using System.Diagnostics;
using Docker.DotNet;
using Sandboxes.Benchmarks.Reporting;
using Sandboxes.Benchmarks.Suites;

namespace Sandboxes.Benchmarks.Harness;

/// <summary>Starts a silo, runs every benchmark against it and its baselines, and reports.</summary>
public static class BenchmarkRun
{
    /// <summary>Every benchmark, in the order they run. Add a line here to add a metric.</summary>
    public static IReadOnlyList<IBenchmark> All { get; } =
    [
        new ColdCreateBenchmark(),
        new ExecLatencyBenchmark(),
        new ExecThroughputBenchmark(),
        new WakeBenchmark(),
        new FileTransferBenchmark(),
        new PreviewBenchmark(),
        new TerminalBenchmark(),
        new CodeInterpreterBenchmark(),
        new IdleMemoryBenchmark(),
        new DensityBenchmark(),
        new ClusterBenchmark(),
    ];

    /// <summary>The product's own engine, which bench.sh exports as DOCKER_HOST; the docker CLI baselines use it too.</summary>
    public static string DockerEndpoint =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : "unix:///var/run/docker.sock";

    public static async Task<int> RunAsync(BenchSettings settings, string outputDirectory, string? only, CancellationToken cancellationToken)
    {
        var image = Environment.GetEnvironmentVariable("SANDBOXES_IMAGE") ?? "sandboxes/sandbox:latest";
        var agent = Environment.GetEnvironmentVariable("SANDBOXES_AGENT_DIR") ?? throw new InvalidOperationException("set SANDBOXES_AGENT_DIR (bench.sh does)");
        var storage = Environment.GetEnvironmentVariable("SANDBOXES_STORAGE") ?? "UseDevelopmentStorage=true";
        using var docker = new DockerClientBuilder().WithEndpoint(new Uri(DockerEndpoint)).Build();
        var machine = await MachineInfo.DescribeAsync();
        Console.WriteLine($"machine: {machine}");
        var total = Stopwatch.StartNew();

        await using var silo = await SiloUnderTest.StartAsync(docker, image, agent, storage);
        var context = new BenchContext(
            settings,
            silo,
            docker,
            image,
            () => SiloUnderTest.StartAsync(docker, image, agent, storage),
            (engines, siloSettings, ct) => BenchCluster.StartAsync(engines, image, agent, storage, siloSettings, ct));
        foreach (var benchmark in All.Where(b => only is null || b.Title.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            Console.Write($"running {benchmark.Title} ... ");
            try
            {
                await benchmark.RunAsync(context, cancellationToken);
                Console.WriteLine($"{clock.Elapsed.TotalSeconds:0}s");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Console.WriteLine($"FAILED after {clock.Elapsed.TotalSeconds:0}s: {e.Message}");
                context.Metric($"{benchmark.Title.Replace(' ', '_')}_benchmark", "run", "the benchmark itself").Fail(e);
            }
        }

        var metrics = context.Metrics.ToList();
        var headlines = new Headlines(metrics);
        var ratios = headlines.Ratios();
        Console.WriteLine();
        Console.WriteLine(ResultsTable.Markdown(metrics));
        Console.WriteLine();
        foreach (var ratio in ratios)
        {
            var verdict = ratio.Met switch { true => "met", false => "MISSED", null => "" };
            Console.WriteLine($"{ratio.Name,-36} {ResultsTable.F(ratio.Value),8}  target {ratio.Target,-10} {verdict}");
        }

        Directory.CreateDirectory(outputDirectory);
        await ResultsFile.WriteAsync(Path.Combine(outputDirectory, "bench-results.json"), machine, settings.Quick, metrics, ratios);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "bench-results.md"), $"Measured {machine}.\n\n{ResultsTable.Markdown(metrics)}\n", CancellationToken.None);
        LatencyPlot.Save(Path.Combine(outputDirectory, "exec-latency.png"), metrics, machine);
        Console.WriteLine();
        Console.WriteLine($"wrote {outputDirectory}/bench-results.json, bench-results.md, exec-latency.png in {total.Elapsed.TotalSeconds:0}s total; load average at the end {MachineInfo.LoadNow()} (1/5/15 min)");
        Console.WriteLine();
        Console.WriteLine("summary:");
        foreach (var line in headlines.Lines())
        {
            Console.WriteLine(line);
        }

        return metrics.Sum(m => m.Failures) == 0 ? 0 : 1;
    }
}
