using System.Runtime.InteropServices;

namespace Sandboxes.Silo.Containers;

/// <summary>chown for host folders; .NET has no managed call for it.</summary>
internal static partial class FileOwnership
{
    /// <summary>Gives the path itself (never a symlink's target) to uid and gid.</summary>
    public static void Set(string path, int uid, int gid)
    {
        if (LChown(path, uid, gid) != 0)
        {
            throw new IOException($"cannot give '{path}' to uid {uid}, gid {gid}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChown(string path, int uid, int gid);
}
