using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sandboxes.Silo.Handoff;

/// <summary>What a descriptor received from a sandbox refers to.</summary>
public static partial class Descriptors
{
    private const int StatBufferSize = 256;
    private const int ModeOffset = 24; // st_mode in struct stat on x86-64
    private const uint TypeMask = 0xF000;

    /// <summary>S_IFREG: a file that cannot block or never end, unlike a pipe or a device.</summary>
    public const uint RegularFile = 0x8000;

    /// <summary>S_IFSOCK.</summary>
    public const uint Socket = 0xC000;

    /// <summary>True when the descriptor is of this type (S_IFMT bits of its fstat mode).</summary>
    public static unsafe bool IsOfType(SafeFileHandle handle, uint type)
    {
        var buffer = stackalloc byte[StatBufferSize];
        return FStat((int)handle.DangerousGetHandle(), buffer) == 0 && (*(uint*)(buffer + ModeOffset) & TypeMask) == type;
    }

    /// <summary>Moves ownership out of a using-scoped handle.</summary>
    public static SafeFileHandle Keep(SafeFileHandle handle)
    {
        var kept = new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid();
        return kept;
    }

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(int fd, byte* buffer);
}
