namespace Sandboxes.Silo.Handoff;

/// <summary>
/// One direction (readable or writable) of one socket watched by <see cref="SocketReadiness"/>.
/// epoll reports edges, so a caller notes the count before it tries the socket and waits only
/// if no edge came since: an edge between a failed try and the wait is never lost.
/// </summary>
internal sealed class ReadySignal
{
    private readonly Lock _gate = new();
    private long _edges;
    private bool _closed;
    private TaskCompletionSource? _waiter;

    /// <summary>The edges seen so far; pass it to <see cref="WaitAsync"/> after a try that would block.</summary>
    public long Observe()
    {
        lock (_gate)
        {
            return _edges;
        }
    }

    /// <summary>Completes when an edge came after <paramref name="observed"/>, or the socket closed.</summary>
    public Task WaitAsync(long observed, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_edges != observed || _closed)
            {
                return Task.CompletedTask;
            }

            // Continuations run on the thread pool, never on the one epoll thread.
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return cancellationToken.CanBeCanceled ? _waiter.Task.WaitAsync(cancellationToken) : _waiter.Task;
        }
    }

    /// <summary>epoll saw the socket become ready in this direction.</summary>
    public void Set() => Release(close: false);

    /// <summary>The socket is closing: every waiter wakes (and then finds it closed).</summary>
    public void Close() => Release(close: true);

    private void Release(bool close)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _edges++;
            _closed |= close;
            (waiter, _waiter) = (_waiter, null);
        }

        waiter?.TrySetResult();
    }
}
