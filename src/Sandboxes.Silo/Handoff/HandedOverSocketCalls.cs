using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sandboxes.Silo.Handoff;

/// <summary>
/// The system calls <see cref="HandedOverSocketStream"/> makes on a socket whose open file
/// description the sandbox shares: none of them can be made to wait by a flag or an option
/// the sandbox sets, except the caller's own synchronous waits. Each holds a reference on the
/// handle, so the descriptor cannot close (and its number be reused) under a call.
/// </summary>
internal static partial class HandedOverSocketCalls
{
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const short PollIn = 0x1;
    private const short PollOut = 0x4;
    private const int SolSocket = 1;
    private const int SoLinger = 13;

    /// <summary>One recv with MSG_DONTWAIT: the bytes read (0 at the end), or -1 when it would block.</summary>
    public static unsafe int Receive(SafeHandle socket, Span<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            return Transfer(socket, data, buffer.Length, receive: true);
        }
    }

    /// <summary>One send with MSG_DONTWAIT: the bytes written, or -1 when it would block.</summary>
    public static unsafe int Send(SafeHandle socket, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* data = buffer)
        {
            return Transfer(socket, data, buffer.Length, receive: false);
        }
    }

    /// <summary>Blocks the calling thread, which asked for a synchronous call, in poll() until the socket is ready.</summary>
    public static unsafe void WaitReady(SafeHandle socket, bool write)
    {
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var poll = new PollFd { Fd = (int)socket.DangerousGetHandle(), Events = write ? PollOut : PollIn };
            while (Poll(&poll, 1, -1) < 0 && Marshal.GetLastPInvokeError() == EIntr)
            {
            }
        }
        finally
        {
            socket.DangerousRelease();
        }
    }

    /// <summary>
    /// Turns SO_LINGER off just before the silo closes its descriptor. With it on, the last
    /// close of a socket waits (whatever O_NONBLOCK says) until queued data is sent or the
    /// linger time passes; SO_LINGER is the socket's, so the sandbox can set it and then close
    /// its own descriptor. Off, close returns at once and the kernel still sends what is queued.
    /// </summary>
    public static unsafe void StopLingering(SafeHandle socket)
    {
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var off = stackalloc int[2];
            SetSockOpt((int)socket.DangerousGetHandle(), SolSocket, SoLinger, off, sizeof(int) * 2);
        }
        finally
        {
            socket.DangerousRelease();
        }
    }

    private static unsafe int Transfer(SafeHandle socket, byte* data, int length, bool receive)
    {
        // The kernel refuses a null buffer even for zero bytes (a zero-byte read waits for data).
        byte empty = 0;
        var at = length == 0 ? &empty : data;
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var fd = (int)socket.DangerousGetHandle();
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
            socket.DangerousRelease();
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

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int SetSockOpt(int fd, int level, int option, int* value, int length);
}
