using Google.Protobuf;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>
/// A running command with a live stdin. Read <see cref="Events"/> until the exit event;
/// a timeout ends the events with an RpcException of DeadlineExceeded.
/// </summary>
public sealed class ExecSession : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<ExecInput, ExecEvent> _call;
    private readonly Task _started;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _stdinClosed;

    internal ExecSession(AsyncDuplexStreamingCall<ExecInput, ExecEvent> call, ExecRequest request)
    {
        _call = call;
        _started = call.RequestStream.WriteAsync(new ExecInput { Start = request });
    }

    /// <summary>Output, heartbeats and the exit status, in the order they happened.</summary>
    public IAsyncEnumerable<ExecEvent> Events => ReadEventsAsync();

    public async Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _started;
            await _call.RequestStream.WriteAsync(new ExecInput { Stdin = ByteString.CopyFrom(data.Span) }, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends end-of-file to the command's stdin.</summary>
    public async Task CloseStdinAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (!_stdinClosed)
            {
                _stdinClosed = true;
                await _started;
                await _call.RequestStream.CompleteAsync();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        _writeLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<ExecEvent> ReadEventsAsync()
    {
        await _started;
        await foreach (var e in _call.ResponseStream.ReadAllAsync())
        {
            yield return e;
        }
    }
}
