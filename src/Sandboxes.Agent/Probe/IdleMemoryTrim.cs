namespace Sandboxes.Agent.Probe;

/// <summary>
/// Gives memory back to the sandbox once the agent goes quiet. A large transfer grows the
/// heap and Kestrel's pinned buffer pool, and ordinary collections keep that memory
/// committed; an aggressive collection a few seconds into a quiet period returns it, and a
/// second one later catches the buffers the pool has evicted by then.
/// </summary>
public sealed class IdleMemoryTrim : IDisposable
{
    private static readonly TimeSpan[] TrimAfter = [TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30)];

    // Below this the agent is about as small as it gets (a fresh agent is ~25 MB).
    private const long TrimAboveBytes = 32L * 1024 * 1024;

    private readonly Timer _timer;
    private readonly Func<bool> _isIdle;
    private int _round;

    public IdleMemoryTrim(Func<bool> isIdle)
    {
        _isIdle = isIdle;
        _timer = new Timer(_ => Trim(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Called when the last call in flight ends; starts the quiet period over.</summary>
    public void OnIdle()
    {
        Volatile.Write(ref _round, 0);
        _timer.Change(TrimAfter[0], Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();

    private void Trim()
    {
        if (!_isIdle())
        {
            return;
        }

        if (ResidentMemory.Bytes() > TrimAboveBytes)
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        var round = Interlocked.Increment(ref _round);
        try
        {
            if (round < TrimAfter.Length)
            {
                _timer.Change(TrimAfter[round] - TrimAfter[round - 1], Timeout.InfiniteTimeSpan);
            }
        }
        catch (ObjectDisposedException)
        {
            // Shutting down. (An exception escaping a timer callback would end the process.)
        }
    }
}
