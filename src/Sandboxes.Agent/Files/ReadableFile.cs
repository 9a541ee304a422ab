using System.Runtime.InteropServices;
using Grpc.Core;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Files;

/// <summary>
/// Opens a file for Files.Read, which reads regular files only. A device never ends
/// (/dev/zero) or has side effects when opened, a FIFO blocks its opener until a writer
/// comes, and a socket cannot be opened at all: each used to fail as INTERNAL, or hang.
/// The refusal names the file's type, so the caller knows to use a command instead.
/// </summary>
public static unsafe class ReadableFile
{
    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int Directory = 0x4000;
    private const int ONoCtty = 0x100;
    private const int AtEmptyPath = 0x1000;

    /// <summary>An open descriptor of the regular file at <paramref name="path"/> (symlinks followed), or the status saying why not.</summary>
    public static SafeFileHandle Open(string path)
    {
        var bytes = FileStatus.NulTerminated(path);
        int fd;
        fixed (byte* p = bytes)
        {
            Require(path, TypeOf(LibC.AtFdCwd, p, 0, path));

            // O_NONBLOCK: should the path have become a FIFO since the check, open returns at
            // once instead of waiting for a writer. Reads of a regular file ignore it.
            fd = LibC.Open(p, LibC.ORdOnly | LibC.ONonBlock | LibC.OCloExec | ONoCtty, 0);
        }

        if (fd < 0)
        {
            throw FileErrors.FromErrno(Marshal.GetLastPInvokeError(), path);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            // What was opened is what counts: the sandbox can swap the path between the two calls.
            var empty = (byte)0;
            Require(path, TypeOf(fd, &empty, AtEmptyPath, path));
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void Require(string path, int type)
    {
        switch (type)
        {
            case RegularFile:
                return;
            case Directory:
                throw FileErrors.Status(StatusCode.InvalidArgument, $"'{path}' is a directory");
            default:
                throw FileErrors.Status(
                    StatusCode.FailedPrecondition,
                    $"'{path}' is {Describe(type)}, not a regular file; Files.Read reads regular files only (read it with a command instead, e.g. head -c 1024 '{path}')");
        }
    }

    private static int TypeOf(int at, byte* path, int flags, string display)
    {
        LibC.StatxBuffer buffer;
        if (LibC.Statx(at, path, flags, LibC.StatxBasicStats, &buffer) != 0)
        {
            throw FileErrors.FromErrno(Marshal.GetLastPInvokeError(), display);
        }

        return buffer.Mode & TypeMask;
    }

    private static string Describe(int type) => type switch
    {
        0x2000 => "a character device",
        0x6000 => "a block device",
        0x1000 => "a FIFO (named pipe)",
        0xC000 => "a socket",
        _ => $"a special file (type {type:x4})",
    };
}
