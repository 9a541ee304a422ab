using System.Runtime.InteropServices;
using System.Text;
using Sandboxes.Agent.Native;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Files;

/// <summary>What statx says about one path, on exact bytes so any name can be described.</summary>
public readonly record struct FileStatus(FileType Type, ulong Size, uint Mode, DateTimeOffset Modified)
{
    private const int TypeMask = 0xF000;

    public bool IsDirectory => Type == FileType.Directory;

    /// <summary>Stats <paramref name="path"/>; lstat semantics unless <paramref name="follow"/>.</summary>
    public static bool TryGet(string path, bool follow, out FileStatus status, out int errno) =>
        TryGet(NulTerminated(path), follow, out status, out errno);

    /// <summary>Stats a NUL-terminated byte path.</summary>
    public static unsafe bool TryGet(ReadOnlySpan<byte> path, bool follow, out FileStatus status, out int errno)
    {
        fixed (byte* p = path)
        {
            return TryGetAt(LibC.AtFdCwd, p, follow, out status, out errno);
        }
    }

    /// <summary>Stats <paramref name="name"/> relative to an open directory, without following it.</summary>
    public static unsafe bool TryGetAt(int dirFd, byte* name, bool follow, out FileStatus status, out int errno)
    {
        LibC.StatxBuffer buffer;
        var flags = follow ? 0 : LibC.AtSymlinkNoFollow;
        if (LibC.Statx(dirFd, name, flags, LibC.StatxBasicStats, &buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            status = default;
            return false;
        }

        errno = 0;
        var modified = DateTimeOffset.FromUnixTimeSeconds(buffer.ModifiedSeconds).AddTicks(buffer.ModifiedNanoseconds / 100);
        status = new FileStatus(TypeOf(buffer.Mode), buffer.Size, (uint)(buffer.Mode & 0xFFF), modified);
        return true;
    }

    /// <summary>The UTF-8 bytes of <paramref name="path"/> with a closing NUL, as libc wants.</summary>
    public static byte[] NulTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static FileType TypeOf(ushort mode) => (mode & TypeMask) switch
    {
        0x8000 => FileType.File,
        0x4000 => FileType.Directory,
        0xA000 => FileType.Symlink,
        _ => FileType.Other,
    };
}
