using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sandboxes.Silo.Handoff;

/// <summary>What a descriptor received from a sandbox refers to.</summary>
public static partial class Descriptors
{
    private const int StatBufferSize = 256;
    private const int ModeOffset = 24; // st_mode in struct stat on x86-64
    private const uint TypeMask = 0xF000;
    private const uint RegularFile = 0x8000;

    /// <summary>True for a regular file; false for a pipe, socket, device or directory, which could block or never end.</summary>
    public static unsafe bool IsRegularFile(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[StatBufferSize];
        return FStat((int)handle.DangerousGetHandle(), buffer) == 0 && (*(uint*)(buffer + ModeOffset) & TypeMask) == RegularFile;
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
