using System.Runtime.InteropServices;

namespace Sandboxes.Agent.Native;

/// <summary>The calls behind started processes, sessions and watches: FIFOs, raw opens and inotify.</summary>
internal static unsafe partial class LibC
{
    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int ONonBlock = 0x800;

    public const uint InAccess = 0x1;
    public const uint InModify = 0x2;
    public const uint InAttrib = 0x4;
    public const uint InMovedFrom = 0x40;
    public const uint InMovedTo = 0x80;
    public const uint InCreate = 0x100;
    public const uint InDelete = 0x200;
    public const uint InDeleteSelf = 0x400;
    public const uint InMoveSelf = 0x800;
    public const uint InQueueOverflow = 0x4000;
    public const uint InIgnored = 0x8000;
    public const uint InExclUnlink = 0x4000000;
    public const uint InIsDir = 0x40000000;

    [LibraryImport(Library, EntryPoint = "mkfifo", SetLastError = true)]
    public static partial int MkFifo(byte* path, uint mode);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags, uint mode);

    [LibraryImport(Library, EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit(int flags);

    [LibraryImport(Library, EntryPoint = "inotify_add_watch", SetLastError = true)]
    public static partial int InotifyAddWatch(int fd, byte* path, uint mask);

    [LibraryImport(Library, EntryPoint = "inotify_rm_watch", SetLastError = true)]
    public static partial int InotifyRemoveWatch(int fd, int wd);
}
