using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// Bounds how many containers this host starts at once (Sandboxes:MaxConcurrentStarts): the
/// engine is the limit, and fifty starts at once take it longer in all than a few at a time.
/// The rest wait in line, each only as long as its caller can: a start that cannot finish
/// before the caller's deadline is refused up front (RESOURCE_EXHAUSTED, with a hint when to
/// retry), so a create either happens while its caller waits or does not happen at all.
/// </summary>
public sealed class StartAdmission(IOptions<SandboxesOptions> options, TimeProvider time) : IDisposable
{
    /// <summary>The request-context key of the caller's deadline (UTC ticks), set by the APIs.</summary>
    public const string DeadlineKey = "sandboxes.deadline";

    /// <summary>No grain call may outlast Orleans' response timeout (30 s), whatever the caller's deadline, and a start needs a few seconds after its slot.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(20);

    private readonly TimeProvider _time = time;
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentStarts);
    private readonly int _concurrency = options.Value.MaxConcurrentStarts;
    private int _waiting;

    /// <summary>
    /// A running average of how long one start holds its slot (engine start and the agent's
    /// boot), for the estimate; it starts high rather than low, since a low guess lets a burst's
    /// first wave past deadlines it cannot meet.
    /// </summary>
    private double _startSeconds = 3;

    /// <summary>Waits for a start slot, or refuses when the caller's deadline comes first.</summary>
    public async Task<IDisposable> AdmitAsync()
    {
        var now = _time.GetUtcNow();
        var until = now + LongestWait;
        if (RequestContext.Get(DeadlineKey) is long ticks && new DateTimeOffset(ticks, TimeSpan.Zero) is var deadline && deadline < until)
        {
            until = deadline;
        }

        // What it would take: the starts ahead of this one, a few at a time, then this one.
        var ahead = Volatile.Read(ref _waiting) + (_concurrency - _slots.CurrentCount);
        var expected = TimeSpan.FromSeconds(_startSeconds * ahead / _concurrency) + OneStart;
        if (expected > until - now)
        {
            throw Busy(ahead, expected);
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            var wait = until - now - OneStart;
            if (!await _slots.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero))
            {
                throw Busy(ahead, expected);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        // Checked again with what the starts ahead just taught: a slot that came too late is given back.
        if (until - _time.GetUtcNow() < OneStart)
        {
            _slots.Release();
            throw Busy(ahead, expected);
        }

        return new Slot(this, _time.GetTimestamp());
    }

    /// <summary>One start as the average says, with a quarter and a second to spare.</summary>
    private TimeSpan OneStart => TimeSpan.FromSeconds((_startSeconds * 1.25) + 1);

    public void Dispose() => _slots.Dispose();

    private static SandboxException Busy(int ahead, TimeSpan expected) => new(
        SandboxError.ResourceExhausted,
        $"this host is busy starting other sandboxes ({ahead} starts ahead, about {expected.TotalSeconds:0} s) and could not start this one before the call's deadline; nothing was created. Retry in {Math.Max(1, expected.TotalSeconds / 2):0} s");

    private sealed class Slot(StartAdmission admission, long started) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                var seconds = admission._time.GetElapsedTime(started).TotalSeconds;
                admission._startSeconds = (admission._startSeconds * 0.8) + (seconds * 0.2);
                admission._slots.Release();
            }
        }
    }
}
