using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Sandboxes.Silo.Handoff;

/// <summary>
/// A TCP connection a sandbox's agent connected and handed over (a preview's connection to a
/// server inside the sandbox), read and written so that the sandbox can never hold a silo
/// thread.
/// <para>
/// Why not a <see cref="Socket"/> in a <see cref="NetworkStream"/>: the descriptor the silo
/// receives shares its open file description with the sandbox, which keeps (or can take, as
/// root, with pidfd_getfd) a descriptor of its own, and O_NONBLOCK belongs to the description.
/// .NET sets O_NONBLOCK once, then tries each async receive or send at once with a plain
/// recv or send on the calling thread; once the sandbox clears the flag, that call blocks a
/// thread-pool thread for as long as the sandbox likes, and a few dozen previews starve the
/// silo for every tenant. A description of the silo's own cannot be had for a socket
/// (/proc/self/fd reopens files, not sockets), and a relay would block the same way. So every
/// recv and send here passes MSG_DONTWAIT, which makes that one call non-blocking whatever the
/// description's flags say, and waits for readiness through <see cref="SocketReadiness"/>'s
/// epoll (readiness is the socket's, not the description's). The fast path is one syscall per
/// read or write, as with .NET's own socket. Closing turns SO_LINGER off first, so that the
/// sandbox cannot make the close wait either (see <see cref="HandedOverSocketCalls.StopLingering"/>).
/// </para>
/// </summary>
public sealed class HandedOverSocketStream : Stream
{
    private readonly SafeFileHandle _socket;
    private readonly ReadySignal _readable = new();
    private readonly ReadySignal _writable = new();
    private readonly long _watch;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="socket"/>, a connected stream socket.</summary>
    public HandedOverSocketStream(SafeFileHandle socket)
    {
        _socket = socket;
        try
        {
            _watch = SocketReadiness.Shared.Add(socket, _readable, _writable);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var observed = _readable.Observe();
            var read = Receive(buffer.Span);
            if (read >= 0)
            {
                return read;
            }

            await _readable.WaitAsync(observed, cancellationToken);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var observed = _writable.Observe();
            var sent = Send(buffer.Span);
            if (sent >= 0)
            {
                buffer = buffer[sent..];
                continue;
            }

            await _writable.WaitAsync(observed, cancellationToken);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>A synchronous read blocks its caller (who asked for that) in poll, never in recv.</summary>
    public override int Read(Span<byte> buffer)
    {
        int read;
        while ((read = Receive(buffer)) < 0)
        {
            HandedOverSocketCalls.WaitReady(_socket, write: false);
        }

        return read;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var sent = Send(buffer);
            if (sent >= 0)
            {
                buffer = buffer[sent..];
            }
            else
            {
                HandedOverSocketCalls.WaitReady(_socket, write: true);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            SocketReadiness.Shared.Remove(_socket, _watch);
            _readable.Close();
            _writable.Close();
            HandedOverSocketCalls.StopLingering(_socket);
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Receive(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return HandedOverSocketCalls.Receive(_socket, buffer);
    }

    private int Send(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return HandedOverSocketCalls.Send(_socket, buffer);
    }
}
