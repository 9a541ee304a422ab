using System.Net.Sockets;
using System.Runtime.InteropServices;
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
/// read or write, as with .NET's own socket.
/// </para>
/// </summary>
public sealed partial class HandedOverSocketStream : Stream
{
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const short PollIn = 0x1;
    private const short PollOut = 0x4;

    private readonly SafeFileHandle _socket;
    private readonly ReadySignal _readable = new();
    private readonly ReadySignal _writable = new();
    private readonly long _watch;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="socket"/>, a connected stream socket.</summary>
    public HandedOverSocketStream(SafeFileHandle socket)
    {
        _socket = socket;
        _watch = SocketReadiness.Shared.Add(socket, _readable, _writable);
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
            WaitReady(PollIn);
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
                WaitReady(PollOut);
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
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>One recv with MSG_DONTWAIT: the bytes read (0 at the end), or -1 when it would block.</summary>
    private unsafe int Receive(Span<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            return Transfer(data, buffer.Length, receive: true);
        }
    }

    /// <summary>One send with MSG_DONTWAIT: the bytes written, or -1 when it would block.</summary>
    private unsafe int Send(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            return Transfer(data, buffer.Length, receive: false);
        }
    }

    private unsafe int Transfer(byte* data, int length, bool receive)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);

        // The kernel refuses a null buffer even for zero bytes (a zero-byte read waits for data).
        byte empty = 0;
        var at = length == 0 ? &empty : data;
        var added = false;
        _socket.DangerousAddRef(ref added);
        try
        {
            var fd = (int)_socket.DangerousGetHandle();
            while (true)
            {
                var moved = receive
                    ? SysRecv(fd, at, (nuint)length, MsgDontWait)
                    : SysSend(fd, at, (nuint)length, MsgDontWait | MsgNoSignal);
                if (moved >= 0)
                {
                    return (int)moved;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EAgain)
                {
                    return -1;
                }

                if (errno != EIntr)
                {
                    var error = new SocketException(errno);
                    throw new IOException($"Unable to {(receive ? "read data from" : "write data to")} the transport connection: {error.Message}.", error);
                }
            }
        }
        finally
        {
            _socket.DangerousRelease();
        }
    }

    private unsafe void WaitReady(short events)
    {
        var added = false;
        _socket.DangerousAddRef(ref added);
        try
        {
            var poll = new PollFd { Fd = (int)_socket.DangerousGetHandle(), Events = events };
            while (Poll(&poll, 1, -1) < 0 && Marshal.GetLastPInvokeError() == EIntr)
            {
            }
        }
        finally
        {
            _socket.DangerousRelease();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint SysRecv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint SysSend(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeout);
}
