using System.Runtime.InteropServices;

namespace Sandboxes.Agent.Native;

/// <summary>Socket pairs: a two-way channel to a child on one descriptor.</summary>
internal static unsafe partial class LibC
{
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int SockCloExec = 0x80000;
    public const int SigInt = 2;
    public const short PollErr = 0x008;

    [LibraryImport(Library, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);
}
