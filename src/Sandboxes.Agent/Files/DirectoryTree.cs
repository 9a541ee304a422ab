using System.Runtime.InteropServices;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Files;

/// <summary>
/// Deletes a whole tree on raw byte paths (System.IO would lose names that are not UTF-8
/// and then fail on them). Symlinks are removed, never followed.
/// </summary>
public static unsafe class DirectoryTree
{
    public static void Delete(string path) => Delete(FileStatus.NulTerminated(path), path);

    private static void Delete(byte[] pathNul, string displayPath)
    {
        if (!FileStatus.TryGet(pathNul, follow: false, out var status, out var errno))
        {
            if (errno == Errno.ENOENT)
            {
                return;
            }

            throw FileErrors.FromErrno(errno, displayPath);
        }

        if (status.IsDirectory)
        {
            foreach (var name in DirectoryListing.Names(pathNul, displayPath))
            {
                var childName = FileEntries.DecodeName(name, out _);
                Delete(FileEntries.Join(pathNul, name), FileEntries.Join(displayPath, childName));
            }
        }

        Remove(pathNul, displayPath, status.IsDirectory);
    }

    /// <summary>Removes one file, or one empty directory.</summary>
    public static void Remove(ReadOnlySpan<byte> pathNul, string displayPath, bool directory)
    {
        fixed (byte* p = pathNul)
        {
            if (LibC.UnlinkAt(LibC.AtFdCwd, p, directory ? LibC.AtRemoveDir : 0) == 0)
            {
                return;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno != Errno.ENOENT)
        {
            throw FileErrors.FromErrno(errno, displayPath);
        }
    }
}
