using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Silo.Handoff;

namespace Sandboxes.Silo.Agents;

/// <summary>
/// Connects to a Unix socket in a folder the sandbox can write to. The path's last component
/// is opened with O_PATH | O_NOFOLLOW and checked to be a socket, and the connect goes
/// through /proc/self/fd to that very inode: a symlink the sandbox plants (to another
/// sandbox's socket, or the host's) is refused, and swapping one in after the check changes
/// nothing.
/// </summary>
public static partial class SandboxSocket
{
    private const int OPath = 0x200000;
    private const int ONoFollow = 0x20000;
    private const int OCloExec = 0x80000;
    private const int ENoEnt = 2;

    /// <summary>The connected socket, or null when nothing is at <paramref name="path"/>.</summary>
    public static async Task<Socket?> TryConnectAsync(string path, CancellationToken cancellationToken)
    {
        var fd = Open(path, OPath | ONoFollow | OCloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == ENoEnt ? null : throw new IOException($"cannot open {path}: errno {errno}");
        }

        using var pinned = new SafeFileHandle(fd, ownsHandle: true);
        if (!Descriptors.IsOfType(pinned, Descriptors.Socket))
        {
            throw new IOException($"refusing to connect: {path} is not a socket (a symlink planted by the sandbox?)");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/proc/self/fd/{fd}"), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
