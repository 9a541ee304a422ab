using System.Runtime.InteropServices;

namespace Sandboxes.Silo.Containers;

/// <summary>
/// A small tmpfs over a sandbox's socket folder (boxes/NAME). The folder is mounted
/// read-write into the sandbox for the agent's sockets, so without it a sandbox could write
/// past its disk limit onto the host's own disk, which also holds Azurite and the engine's
/// disk file. A socket takes no space, so 1 MiB and 64 inodes are plenty.
/// </summary>
public static partial class SocketFolderMount
{
    private const ulong NoSuid = 2, NoDev = 4, NoExec = 8;
    private const int Detach = 2;
    private const int NotMounted = 22; // EINVAL from umount2 on a folder that is no mount point

    /// <summary>Mounts the tmpfs unless the folder already is a mount point (a silo restart).</summary>
    public static void Mount(string folder, int uid, int gid)
    {
        if (IsMountPoint(folder))
        {
            return;
        }

        var options = $"size=1m,nr_inodes=64,mode=0700,uid={uid},gid={gid}";
        if (MountTmpfs("sandboxes-run", folder, "tmpfs", NoSuid | NoDev | NoExec, options) != 0)
        {
            throw new IOException($"cannot mount a tmpfs on '{folder}': errno {Marshal.GetLastPInvokeError()} (the silo needs root for this)");
        }
    }

    /// <summary>Unmounts it; a folder that is no mount point is left as it is.</summary>
    public static void Unmount(string folder)
    {
        if (Directory.Exists(folder) && Umount2(folder, Detach) != 0 && Marshal.GetLastPInvokeError() != NotMounted)
        {
            throw new IOException($"cannot unmount '{folder}': errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Unmounts every socket folder under a data root, for removing the whole root (tests, reaping).</summary>
    public static void UnmountAllUnder(string dataRoot)
    {
        var prefix = Path.GetFullPath(dataRoot).TrimEnd('/') + "/";
        foreach (var point in MountPoints().Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).OrderDescending(StringComparer.Ordinal))
        {
            Unmount(point);
        }
    }

    private static IEnumerable<string> MountPoints() =>
        File.ReadLines("/proc/self/mounts").Select(line => line.Split(' ')).Where(f => f.Length > 1).Select(f => f[1]);

    private static bool IsMountPoint(string folder)
    {
        var full = Path.GetFullPath(folder).TrimEnd('/');
        return MountPoints().Contains(full, StringComparer.Ordinal);
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountTmpfs(string source, string target, string type, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);
}
