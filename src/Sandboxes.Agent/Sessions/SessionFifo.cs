using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Agent.Files;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Sessions;

/// <summary>
/// A named pipe that carries one output stream of one session command. The agent opens
/// the read end and also a write end of its own before the shell opens it: the read end
/// then sees no EOF before the shell even arrives, and once the command's status is in,
/// closing the agent's write end lets the reader reach EOF after the last byte.
/// </summary>
public sealed class SessionFifo : IDisposable
{
    private readonly SafePipeHandle _keepOpen;

    private SessionFifo(string path, SafePipeHandle reader, SafePipeHandle keepOpen)
    {
        Path = path;
        Reader = reader;
        _keepOpen = keepOpen;
    }

    public string Path { get; }

    /// <summary>The read end, for the output pump (which owns it from then on).</summary>
    public SafePipeHandle Reader { get; }

    public static unsafe SessionFifo Create(string path)
    {
        var name = FileStatus.NulTerminated(path);
        fixed (byte* p = name)
        {
            if (LibC.MkFifo(p, 0b110_000_000) != 0)
            {
                throw new IOException($"mkfifo {path}: {Errno.Describe(Marshal.GetLastPInvokeError())}");
            }

            var reader = LibC.Open(p, LibC.ORdOnly | LibC.ONonBlock | LibC.OCloExec, 0);
            var writer = reader < 0 ? -1 : LibC.Open(p, LibC.OWrOnly | LibC.ONonBlock | LibC.OCloExec, 0);
            if (writer < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (reader >= 0)
                {
                    _ = LibC.Close(reader);
                }

                throw new IOException($"open {path}: {Errno.Describe(errno)}");
            }

            return new SessionFifo(path, new SafePipeHandle(reader, ownsHandle: true), new SafePipeHandle(writer, ownsHandle: true));
        }
    }

    /// <summary>The command is done: let the reader reach EOF once the shell's end is closed too.</summary>
    public void ReleaseWriter() => _keepOpen.Dispose();

    public void Dispose()
    {
        _keepOpen.Dispose();
        File.Delete(Path);
    }
}
