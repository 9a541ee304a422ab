using System.Collections.Concurrent;

namespace Sandboxes.Silo.Preview;

/// <summary>
/// Preview traffic is activity. Requests mostly skip the grain (cached token checks) and the
/// agent (the silo holds the connection), so this tells each sandbox's grain, at most once a
/// second, that a request arrived, and every few seconds while a long one (a WebSocket, an
/// event stream) is still open.
/// </summary>
public sealed class PreviewActivity(IGrainFactory grains, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan TouchEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, int> _open = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _touched = new();

    /// <summary>Counts a request from its start to its end.</summary>
    public IDisposable Track(string sandbox)
    {
        _open.AddOrUpdate(sandbox, 1, (_, n) => n + 1);
        var now = time.GetUtcNow();
        if (!_touched.TryGetValue(sandbox, out var last) || now - last > TouchEvery)
        {
            Touch(sandbox, now);
        }

        return new Ending(this, sandbox);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (sandbox, open) in _open)
            {
                if (open > 0)
                {
                    Touch(sandbox, time.GetUtcNow());
                }
                else
                {
                    _open.TryRemove(new KeyValuePair<string, int>(sandbox, 0));
                    _touched.TryRemove(sandbox, out _);
                }
            }
        }
    }

    private void Touch(string sandbox, DateTimeOffset now)
    {
        _touched[sandbox] = now;

        // Fire and forget: a request never waits for its activity to be recorded.
        _ = grains.GetGrain<ISandboxGrain>(sandbox).WakeAsync(createIfMissing: false).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private sealed class Ending(PreviewActivity activity, string sandbox) : IDisposable
    {
        public void Dispose() => activity._open.AddOrUpdate(sandbox, 0, (_, n) => n - 1);
    }
}
