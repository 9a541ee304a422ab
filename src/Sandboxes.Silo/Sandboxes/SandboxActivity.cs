using System.Collections.Concurrent;

namespace Sandboxes.Silo.Sandboxes;

/// <summary>
/// The silo's own count of the calls it relays to each sandbox: API calls and streams, and
/// preview requests. Idleness is judged from this, never from what the sandbox's agent says.
/// Preview requests mostly skip the grain (cached token checks), and a stream holds no grain
/// call while it runs, so this tells each sandbox's grain, at most once a second, that a call
/// arrived, and every few seconds while a long one (a stream, a WebSocket) is still open.
/// </summary>
public sealed class SandboxActivity(IGrainFactory grains, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan TouchEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(5);

    /// <summary>How long one touch keeps a sandbox awake: past the next sweep, which renews it while the call is open.</summary>
    private static readonly TimeSpan Lease = SweepEvery * 2 + TimeSpan.FromSeconds(2);

    // Keyed by the sandbox's grain key.
    private readonly ConcurrentDictionary<string, int> _open = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _touched = new();

    /// <summary>Counts a request from its start to its end.</summary>
    public IDisposable Track(SandboxKey key)
    {
        var sandbox = key.GrainKey;
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
        _ = grains.GetGrain<ISandboxGrain>(sandbox).KeepAwakeAsync(Lease).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private sealed class Ending(SandboxActivity activity, string sandbox) : IDisposable
    {
        public void Dispose() => activity._open.AddOrUpdate(sandbox, 0, (_, n) => n - 1);
    }
}
