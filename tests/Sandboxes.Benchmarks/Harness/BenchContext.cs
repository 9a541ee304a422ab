using System.Diagnostics;
using Docker.DotNet;
using Sandboxes.Client;

namespace Sandboxes.Benchmarks.Harness;

/// <summary>What every benchmark gets: the silo under test, its client, the Docker baselines and the result sink.</summary>
public sealed class BenchContext(
    BenchSettings settings,
    SiloUnderTest silo,
    DockerClient docker,
    string image,
    Func<Task<SiloUnderTest>> startSilo,
    Func<IReadOnlyList<string>, IReadOnlyDictionary<string, string>, CancellationToken, Task<BenchCluster>> startCluster)
{
    private readonly Dictionary<string, Samples> _metrics = new(StringComparer.Ordinal);
    private int _names;

    public BenchSettings Settings { get; } = settings;

    public SiloUnderTest Silo { get; } = silo;

    public SandboxClient Client => Silo.Client;

    public DockerClient Docker { get; } = docker;

    /// <summary>The same image for the product and for every baseline.</summary>
    public string Image { get; } = image;

    public IReadOnlyCollection<Samples> Metrics => _metrics.Values;

    /// <summary>A second, empty silo, for measurements the shared one's history would distort.</summary>
    public Task<SiloUnderTest> StartFreshSiloAsync() => startSilo();

    /// <summary>A cluster of one host per engine, each silo with these settings on top of the usual ones.</summary>
    public Task<BenchCluster> StartClusterAsync(IReadOnlyList<string> engines, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
        startCluster(engines, settings, cancellationToken);

    public Samples Metric(string name, string unit, string description)
    {
        if (!_metrics.TryGetValue(name, out var samples))
        {
            samples = new Samples(name, unit, description);
            _metrics[name] = samples;
        }

        return samples;
    }

    public string NewSandboxName(string prefix) => $"{prefix}-{Interlocked.Increment(ref _names)}-{Silo.RunId}";

    /// <summary>Times one attempt in milliseconds, counting a failure instead of a value when it throws.</summary>
    public static async Task TimeAsync(Samples into, Func<Task> attempt)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await attempt();
            into.Add(clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e)
        {
            into.Fail(e);
        }
    }

    /// <summary>Times one transfer of <paramref name="bytes"/> in MB/s, counting a failure instead of a value when it throws.</summary>
    public static async Task RateAsync(Samples into, long bytes, Func<Task> transfer)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await transfer();
            into.Add(bytes / (1024.0 * 1024.0) / clock.Elapsed.TotalSeconds);
        }
        catch (Exception e)
        {
            into.Fail(e);
        }
    }
}
