using System.Diagnostics;

namespace Sandboxes.Benchmarks.Harness;

/// <summary>Waits for a condition with a bound, and says what it waited for when it gives up.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = await probe();
        while (!done(last))
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"waited {within.TotalSeconds:0} s for {what}; last value: {last}");
            }

            await Task.Delay(Interval, cancellationToken);
            last = await probe();
        }

        return last;
    }
}
