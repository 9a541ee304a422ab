using System.Diagnostics;

namespace Sandboxes.Agent.Probe;

/// <summary>Counts Exec and Files calls in flight and when the last one began or ended.</summary>
public sealed class CallTracker : IDisposable
{
    private readonly IdleMemoryTrim _trim;
    private int _inFlight;
    private long _lastActivity = Stopwatch.GetTimestamp();

    public CallTracker() => _trim = new IdleMemoryTrim(() => InFlight == 0);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Milliseconds since a call last began or ended; 0 while any is in flight.</summary>
    public long IdleMilliseconds => InFlight > 0
        ? 0
        : (long)Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActivity)).TotalMilliseconds;

    public void Begin()
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());
    }

    public void End()
    {
        Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            _trim.OnIdle();
        }
    }

    public void Dispose() => _trim.Dispose();
}
