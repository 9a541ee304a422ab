using System.Runtime.InteropServices;

namespace Sandboxes.Agent.Native;

/// <summary>Socket pairs (a two-way channel to a child on one descriptor), and the agent's own listening socket.</summary>
internal static unsafe partial class LibC
{
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int SockCloExec = 0x80000;
    public const int SigInt = 2;
    public const short PollErr = 0x008;

    [LibraryImport(Library, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    /// <summary>sockaddr_un's sun_path: 108 bytes, the terminating NUL included.</summary>
    public const int UnixPathSize = 108;

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, byte* address, int length);

    [LibraryImport(Library, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);
}
