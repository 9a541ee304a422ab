using System.Runtime.InteropServices;

namespace Sandboxes.Agent.Native;

/// <summary>
/// File calls on raw byte paths. .NET decodes names lossily, so a name that is not UTF-8
/// could be listed but never reached again; these calls keep the exact bytes.
/// </summary>
internal static unsafe partial class LibC
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtRemoveDir = 0x200;
    public const uint StatxBasicStats = 0x7ff;
    public const uint RenameNoReplace = 1;

    [LibraryImport(Library, EntryPoint = "sendfile64", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, long* offset, nuint count);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true)]
    public static partial int Statx(int dirFd, byte* path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport(Library, EntryPoint = "opendir", SetLastError = true)]
    public static partial nint OpenDir(byte* path);

    [LibraryImport(Library, EntryPoint = "readdir64", SetLastError = true)]
    public static partial DirEnt64* ReadDir(nint dir);

    [LibraryImport(Library, EntryPoint = "closedir")]
    public static partial int CloseDir(nint dir);

    [LibraryImport(Library, EntryPoint = "dirfd")]
    public static partial int DirFd(nint dir);

    [LibraryImport(Library, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint ReadLinkAt(int dirFd, byte* path, byte* buffer, nint size);

    [LibraryImport(Library, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(int dirFd, byte* path, int flags);

    [LibraryImport(Library, EntryPoint = "renameat2", SetLastError = true)]
    public static partial int RenameAt2(int fromDirFd, byte* from, int toDirFd, byte* to, uint flags);

    /// <summary>struct dirent64: d_ino, d_off, d_reclen, d_type, then the NUL-terminated name.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct DirEnt64
    {
        public ulong Inode;
        public long Offset;
        public ushort RecordLength;
        public byte Type;
        public fixed byte Name[256];
    }

    /// <summary>struct statx (256 bytes, stable since Linux 4.11); only the fields the agent reads.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long ModifiedSeconds;
        [FieldOffset(120)] public uint ModifiedNanoseconds;
    }
}
