using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Configuration;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Hosting;

/// <summary>The Unix socket the agent serves on, from <c>--socket PATH</c>.</summary>
public static class AgentSocket
{
    /// <summary>A bound, listening socket: its path, and the descriptor Kestrel adopts.</summary>
    public sealed record Listening(string Path, ulong Descriptor);

    /// <summary>Where the silo expects the socket: its host folder is bind-mounted at /.sandboxes/run.</summary>
    public const string DefaultPath = "/.sandboxes/run/agent.sock";

    /// <summary>The path from <c>--socket</c>, or <see cref="DefaultPath"/>.</summary>
    public static string Path(IConfiguration configuration)
    {
        var path = configuration["socket"];
        return string.IsNullOrWhiteSpace(path) ? DefaultPath : System.IO.Path.GetFullPath(path);
    }

    /// <summary>
    /// Binds and listens before anything else starts, and returns the descriptor for Kestrel to
    /// adopt. The silo connects as soon as the socket appears, and its first request waits in
    /// the backlog while the host builds, instead of the silo polling until Kestrel is up.
    /// The socket is made with libc rather than System.Net.Sockets, whose Socket shuts the
    /// listener down when it is disposed or finalized, even after giving its handle away.
    /// Kestrel does not remove a socket it did not bind: <see cref="Remove"/> does, at stop.
    /// </summary>
    public static unsafe Listening Listen(IConfiguration configuration)
    {
        var fullPath = Prepare(configuration);
        var path = Encoding.UTF8.GetBytes(fullPath);
        if (path.Length >= LibC.UnixPathSize)
        {
            throw new IOException($"the socket path is {path.Length} bytes; a Unix socket path must be under {LibC.UnixPathSize}");
        }

        var fd = LibC.Socket(LibC.AfUnix, LibC.SockStream | LibC.SockCloExec, 0);
        if (fd < 0)
        {
            throw new IOException($"socket() failed: errno {Marshal.GetLastPInvokeError()}");
        }

        // sockaddr_un: a two-byte family, then the NUL-terminated path.
        var address = stackalloc byte[sizeof(ushort) + LibC.UnixPathSize];
        new Span<byte>(address, sizeof(ushort) + LibC.UnixPathSize).Clear();
        *(ushort*)address = LibC.AfUnix;
        path.CopyTo(new Span<byte>(address + sizeof(ushort), path.Length));
        if (LibC.Bind(fd, address, sizeof(ushort) + path.Length + 1) != 0 || LibC.Listen(fd, 512) != 0)
        {
            throw new IOException($"cannot listen on the agent socket: errno {Marshal.GetLastPInvokeError()}");
        }

        return new Listening(fullPath, (ulong)fd);
    }

    /// <summary>The silo reads a missing socket as a stopped agent (preview routes, wake).</summary>
    public static void Remove(Listening socket) => File.Delete(socket.Path);

    /// <summary>Reads the path, creates its folder and removes a socket left by an earlier run.</summary>
    private static string Prepare(IConfiguration configuration)
    {
        var path = Path(configuration);

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path) ?? "/");

        // A socket file outlives the process that bound it (the folder is on the host), and
        // binding over it would fail with "address in use".
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return path;
    }
}
