using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sandboxes.Silo.Handoff;

/// <summary>What a descriptor received from a sandbox refers to.</summary>
public static partial class Descriptors
{
    private const int StatBufferSize = 256;
    private const int ModeOffset = 24; // st_mode in struct stat on x86-64
    private const uint TypeMask = 0xF000;
    private const int FGetFl = 3;
    private const int OAccMode = 3;
    private const int OPath = 0x200000;
    private const int SolSocket = 1;
    private const int SoType = 3;
    private const int SoAcceptConn = 30;
    private const int SoDomain = 39;
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int SockStream = 1;

    /// <summary>S_IFREG: a file that cannot block or never end, unlike a pipe or a device.</summary>
    public const uint RegularFile = 0x8000;

    /// <summary>S_IFSOCK.</summary>
    public const uint Socket = 0xC000;

    /// <summary>True when the descriptor is of this type (S_IFMT bits of its fstat mode).</summary>
    public static bool IsOfType(SafeFileHandle handle, uint type) => TypeOf(handle) == type;

    /// <summary>
    /// A regular file opened for what the silo will do with it: reading needs O_RDONLY or
    /// O_RDWR, writing O_WRONLY or O_RDWR; an O_PATH descriptor allows neither.
    /// </summary>
    public static bool IsFileFor(SafeFileHandle handle, FileAccess use)
    {
        if (TypeOf(handle) != RegularFile)
        {
            return false;
        }

        var flags = FcntlGetFlags((int)handle.DangerousGetHandle(), FGetFl);
        if (flags < 0 || (flags & OPath) != 0)
        {
            return false;
        }

        var access = flags & OAccMode;
        return use == FileAccess.Read ? access is 0 or 2 : access is 1 or 2;
    }

    /// <summary>An IPv4 or IPv6 stream socket that is not listening: a TCP connection, as a preview needs.</summary>
    public static bool IsTcpConnection(SafeFileHandle handle) =>
        TypeOf(handle) == Socket
        && SocketOption(handle, SoDomain) is AfInet or AfInet6
        && SocketOption(handle, SoType) == SockStream
        && SocketOption(handle, SoAcceptConn) == 0;

    /// <summary>The descriptor's kind in words, for an error message.</summary>
    public static string Describe(SafeFileHandle handle) => TypeOf(handle) switch
    {
        RegularFile => "a regular file",
        Socket => "a socket",
        0x1000 => "a pipe",
        0x2000 => "a character device",
        0x4000 => "a directory",
        0x6000 => "a block device",
        0xA000 => "a symbolic link",
        _ => "a descriptor of unknown kind",
    };

    /// <summary>Moves ownership out of a using-scoped handle.</summary>
    public static SafeFileHandle Keep(SafeFileHandle handle)
    {
        var kept = new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid();
        return kept;
    }

    private static unsafe uint TypeOf(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[StatBufferSize];
        return FStat((int)handle.DangerousGetHandle(), buffer) == 0 ? *(uint*)(buffer + ModeOffset) & TypeMask : 0;
    }

    private static unsafe int SocketOption(SafeFileHandle handle, int option)
    {
        int value;
        var size = sizeof(int);
        return GetSockOpt((int)handle.DangerousGetHandle(), SolSocket, option, &value, &size) == 0 ? value : -1;
    }

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(int fd, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlGetFlags(int fd, int command);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static unsafe partial int GetSockOpt(int fd, int level, int option, int* value, int* length);
}
