namespace Sandboxes.Benchmarks.Harness;

/// <summary>
/// One row group of the results table. A benchmark measures the product and its baseline
/// in the same run, alternating rounds, so their ratio survives machine drift. To add a
/// metric, add a class here and one line to <see cref="BenchmarkRun.All"/>.
/// </summary>
public interface IBenchmark
{
    string Title { get; }

    Task RunAsync(BenchContext context, CancellationToken cancellationToken);
}
