using System.Runtime.InteropServices;
using Grpc.Core;
using Sandboxes.Agent.Native;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Files;

/// <summary>Move: rename(2), refusing to replace unless asked, and never across file systems.</summary>
public static unsafe class FileMove
{
    public static FileEntry Move(string from, string to, bool overwrite)
    {
        if (!FileStatus.TryGet(from, follow: false, out _, out var errno))
        {
            throw errno is Errno.ENOENT or Errno.ENOTDIR
                ? FileErrors.Status(StatusCode.NotFound, $"'{from}' does not exist")
                : FileErrors.FromErrno(errno, from);
        }

        if (from == to)
        {
            return FileEntries.Describe(to);
        }

        if (IsInside(to, from))
        {
            throw FileErrors.Status(StatusCode.InvalidArgument, $"cannot move '{from}' into itself ('{to}')");
        }

        if (FileStatus.TryGet(to, follow: false, out var existing, out _))
        {
            if (!overwrite)
            {
                throw FileErrors.Status(StatusCode.FailedPrecondition, $"'{to}' already exists; set overwrite to replace it");
            }

            if (IsInside(from, to))
            {
                throw FileErrors.Status(StatusCode.InvalidArgument, $"cannot replace '{to}' with '{from}', which is inside it");
            }

            // rename(2) replaces a file or an empty directory only; "replace" means the
            // whole destination goes.
            if (existing.IsDirectory)
            {
                DirectoryTree.Delete(to);
            }
        }

        Rename(from, to, overwrite);
        return FileEntries.Describe(to);
    }

    private static void Rename(string from, string to, bool overwrite)
    {
        fixed (byte* source = FileStatus.NulTerminated(from))
        fixed (byte* destination = FileStatus.NulTerminated(to))
        {
            // RENAME_NOREPLACE closes the gap between the existence check and the rename.
            var flags = overwrite ? 0 : LibC.RenameNoReplace;
            var result = LibC.RenameAt2(LibC.AtFdCwd, source, LibC.AtFdCwd, destination, flags);
            if (result != 0 && flags != 0 && Marshal.GetLastPInvokeError() == Errno.EINVAL)
            {
                result = LibC.RenameAt2(LibC.AtFdCwd, source, LibC.AtFdCwd, destination, 0);
            }

            if (result == 0)
            {
                return;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        throw errno switch
        {
            Errno.ENOENT => FileErrors.Status(StatusCode.NotFound, $"directory '{Path.GetDirectoryName(to)}' does not exist"),
            Errno.EEXIST => FileErrors.Status(StatusCode.FailedPrecondition, $"'{to}' already exists; set overwrite to replace it"),
            Errno.EXDEV => FileErrors.Status(StatusCode.FailedPrecondition, $"'{from}' and '{to}' are on different file systems; copy and delete instead"),
            Errno.EISDIR or Errno.ENOTDIR => FileErrors.Status(StatusCode.FailedPrecondition, $"cannot replace '{to}' with '{from}': one is a directory and the other is not"),
            Errno.EINVAL => FileErrors.Status(StatusCode.InvalidArgument, $"cannot move '{from}' to '{to}'"),
            _ => FileErrors.FromErrno(errno, to),
        };
    }

    private static bool IsInside(string path, string directory) =>
        path.StartsWith(directory == "/" ? "/" : directory + "/", StringComparison.Ordinal);
}
