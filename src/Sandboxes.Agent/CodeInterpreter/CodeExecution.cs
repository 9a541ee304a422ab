using System.Threading.Channels;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.CodeInterpreter;

/// <summary>
/// One runCode in a context: the runner's reader thread writes its events in, the gRPC call
/// reads them out. The channel is bounded, so a slow caller slows the interpreter rather than
/// filling the agent's memory. A timeout or a cancelled call interrupts (SIGINT); if the
/// interpreter ignores that, the caller is let go while the context stays busy.
/// </summary>
public sealed class CodeExecution : IDisposable
{
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(2);

    private readonly Channel<ExecutionEvent> _events = Channel.CreateBounded<ExecutionEvent>(
        new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RunnerProcess _runner;
    private readonly CancellationTokenSource _timeout = new();
    private CancellationTokenRegistration _cancellation;
    private volatile bool _abandoned;
    private int _reason;

    public CodeExecution(long id, string contextId, RunnerProcess runner)
    {
        Id = id;
        ContextId = contextId;
        _runner = runner;
    }

    public long Id { get; }

    public string ContextId { get; }

    public int ExecutionCount { get; private set; }

    /// <summary>Why the interpreter was interrupted, once it reported the interrupt.</summary>
    public InterruptReason Interrupted { get; private set; }

    /// <summary>Events until the execution ends; fails with ABORTED or DEADLINE_EXCEEDED (see the service).</summary>
    public ChannelReader<ExecutionEvent> Events => _events.Reader;

    /// <summary>Completes when the interpreter is done with this code (or died): the context is free again.</summary>
    public Task Finished => _finished.Task;

    /// <summary>Arms the timeout and the caller's cancellation; both interrupt. Called before the code is sent.</summary>
    public void Watch(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _timeout.Token.Register(() => Interrupt(InterruptReason.Timeout));
        _timeout.CancelAfter(timeout);
        _cancellation = cancellationToken.Register(() =>
        {
            _abandoned = true;
            Interrupt(InterruptReason.Cancelled);
        });
    }

    /// <summary>From the reader thread; waits while the caller is behind.</summary>
    public void Output(ExecutionEvent e)
    {
        while (!_abandoned && !_events.Writer.TryWrite(e))
        {
            // Woken every 200 ms to notice a caller that left.
            var waiting = _events.Writer.WaitToWriteAsync().AsTask();
            try
            {
                if (waiting.Wait(TimeSpan.FromMilliseconds(200)) && !waiting.Result)
                {
                    return;
                }
            }
            catch (AggregateException)
            {
                // The caller was let go with an error (see Interrupt): nobody reads any more.
                return;
            }
        }
    }

    public void Complete(int executionCount, bool interrupted)
    {
        ExecutionCount = executionCount;
        Interrupted = interrupted ? (InterruptReason)Volatile.Read(ref _reason) : InterruptReason.None;
        _events.Writer.TryComplete();
        Finish();
    }

    public void Fail(string message)
    {
        _events.Writer.TryComplete(new RpcException(new Status(
            StatusCode.Aborted,
            $"{message} while running this code; the context's variables are lost. Create a new context (a default context is recreated on the next call).")));
        Finish();
    }

    private void Interrupt(InterruptReason reason)
    {
        if (_finished.Task.IsCompleted || Interlocked.CompareExchange(ref _reason, (int)reason, (int)InterruptReason.None) != (int)InterruptReason.None)
        {
            return;
        }

        _runner.Interrupt();
        _ = Task.Delay(InterruptGrace).ContinueWith(
            _ =>
            {
                if (_finished.Task.IsCompleted)
                {
                    return;
                }

                // The caller is let go; the interpreter keeps the context until it ends.
                _abandoned = true;
                _events.Writer.TryComplete(new RpcException(new Status(
                    StatusCode.DeadlineExceeded,
                    $"the interpreter did not stop within {InterruptGrace.TotalSeconds:0} s of the interrupt ({(reason == InterruptReason.Timeout ? "timeout" : "cancelled")}); " +
                    $"context '{ContextId}' stays busy until the code ends. DeleteContext kills it.")));
            },
            TaskScheduler.Default);
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _timeout.Dispose();
    }

    private void Finish()
    {
        _finished.TrySetResult();
        Dispose();
    }
}
