using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sandboxes.Silo.Handoff;

/// <summary>
/// One thread that waits with epoll for the sockets sandboxes handed over to become readable
/// or writable, for <see cref="HandedOverSocketStream"/>. .NET's own socket engine cannot be
/// used for them: it tries each operation once with a plain recv or send and counts on
/// O_NONBLOCK, which the sandbox can clear (see that class). Sockets are registered
/// edge-triggered under a number of their own, never their descriptor, so an event for a
/// socket already closed (its descriptor perhaps reused) finds nothing and is dropped.
/// </summary>
internal sealed partial class SocketReadiness
{
    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x1;
    private const uint EpollOut = 0x4;
    private const uint EpollErr = 0x8;
    private const uint EpollHup = 0x10;
    private const uint EpollRdHup = 0x2000;
    private const uint EpollEt = 1u << 31;
    private const int EIntr = 4;
    private const int MaxEvents = 64;

    // struct epoll_event is packed on x86-64 (12 bytes, data at 4) and padded elsewhere (16, at 8).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventSize - 8;
    private static readonly Lazy<SocketReadiness> Instance = new(() => new SocketReadiness());

    private readonly int _epoll;
    private readonly ConcurrentDictionary<long, (ReadySignal Readable, ReadySignal Writable)> _sockets = new();
    private long _lastId;

    private SocketReadiness()
    {
        _epoll = EpollCreate(EpollCloexec);
        if (_epoll < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        new Thread(Run) { IsBackground = true, Name = "handed-over socket readiness" }.Start();
    }

    /// <summary>The silo's one instance (and thread), started on first use.</summary>
    public static SocketReadiness Shared => Instance.Value;

    /// <summary>Watches a socket until <see cref="Remove"/>; returns the number it is watched under.</summary>
    internal unsafe long Add(SafeHandle socket, ReadySignal readable, ReadySignal writable)
    {
        var id = Interlocked.Increment(ref _lastId);
        _sockets[id] = (readable, writable);
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var ev = stackalloc byte[16];
            *(uint*)ev = EpollIn | EpollOut | EpollRdHup | EpollEt;
            *(long*)(ev + DataOffset) = id;
            if (EpollCtl(_epoll, EpollCtlAdd, (int)socket.DangerousGetHandle(), ev) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                _sockets.TryRemove(id, out _);
                throw new IOException($"cannot watch the handed-over socket: {new SocketException(errno).Message}", new SocketException(errno));
            }
        }
        finally
        {
            socket.DangerousRelease();
        }

        return id;
    }

    /// <summary>
    /// Stops watching; call it before the descriptor closes. The sandbox may keep the socket
    /// open through its own descriptor, and epoll forgets a socket only when every descriptor
    /// for it is closed, so without this its events would keep coming.
    /// </summary>
    internal unsafe void Remove(SafeHandle socket, long id)
    {
        _sockets.TryRemove(id, out _);
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var ev = stackalloc byte[16];
            EpollCtl(_epoll, EpollCtlDel, (int)socket.DangerousGetHandle(), ev);
        }
        finally
        {
            socket.DangerousRelease();
        }
    }

    private unsafe void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EventSize));
        while (true)
        {
            var count = EpollWait(_epoll, events, MaxEvents, -1);
            if (count < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr)
                {
                    continue;
                }

                // Nothing could be woken again: fail loudly rather than leave every preview hanging.
                Environment.FailFast($"epoll_wait for handed-over sockets failed: {new SocketException(errno).Message}");
            }

            for (var i = 0; i < count; i++)
            {
                var ev = events + (i * EventSize);
                if (!_sockets.TryGetValue(*(long*)(ev + DataOffset), out var socket))
                {
                    continue;
                }

                var what = *(uint*)ev;
                if ((what & (EpollIn | EpollRdHup | EpollErr | EpollHup)) != 0)
                {
                    socket.Readable.Set();
                }

                if ((what & (EpollOut | EpollErr | EpollHup)) != 0)
                {
                    socket.Writable.Set();
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static unsafe partial int EpollCtl(int epoll, int operation, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWait(int epoll, byte* events, int maxEvents, int timeout);
}
