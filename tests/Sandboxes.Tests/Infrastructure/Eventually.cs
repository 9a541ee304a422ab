using System.Diagnostics;

namespace Sandboxes.Tests.Infrastructure;

/// <summary>Waits for a condition with a bound, and says what it waited for when it gives up.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        T last = await probe();
        while (!done(last))
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"waited {within.TotalSeconds:0}s for {what}; last value: {last}");
            }

            await Task.Delay(PollInterval);
            last = await probe();
        }

        return last;
    }
}
