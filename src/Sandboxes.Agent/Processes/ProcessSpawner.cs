using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// Starts children with posix_spawn: each in its own process group, with default signal
/// dispositions and an empty signal mask (the runtime ignores SIGPIPE, and an ignored
/// signal would otherwise be inherited), its stdio on fresh pipes, in the given directory.
/// A session shell also gets a control pipe as fd 3, on which it reports each command's status;
/// a code runner gets a socket there instead, a two-way channel.
/// </summary>
public sealed unsafe class ProcessSpawner
{
    private readonly ChildReaper _reaper;

    public ProcessSpawner(ChildReaper reaper) => _reaper = reaper;

    /// <summary>Spawns <paramref name="executable"/>; throws <see cref="SpawnException"/> on failure.</summary>
    public SpawnedProcess Spawn(string executable, IReadOnlyList<string> argv, IReadOnlyList<string> environment, string workingDirectory, ControlChannel control = ControlChannel.None)
    {
        var withControl = control != ControlChannel.None;
        var pipes = stackalloc int[8] { -1, -1, -1, -1, -1, -1, -1, -1 };
        var memory = new List<nint>();
        var fileActions = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        var attributes = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        var sigset = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        var succeeded = false;
        try
        {
            // All six ends are close-on-exec; dup2 onto 0, 1 and 2 clears the flag on the
            // copies the child keeps, so nothing else leaks into it.
            for (var i = 0; i < (withControl ? 4 : 3); i++)
            {
                var failed = i == 3 && control == ControlChannel.Socket
                    ? LibC.SocketPair(LibC.AfUnix, LibC.SockStream | LibC.SockCloExec, 0, pipes + 6) != 0
                    : LibC.Pipe2(pipes + (i * 2), LibC.OCloExec) != 0;
                if (failed)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw new SpawnException(errno, $"could not create a pipe: {Errno.Describe(errno)}");
                }
            }

            Check(LibC.FileActionsInit(fileActions));
            Check(LibC.FileActionsAddDup2(fileActions, pipes[0], 0));
            Check(LibC.FileActionsAddDup2(fileActions, pipes[3], 1));
            Check(LibC.FileActionsAddDup2(fileActions, pipes[5], 2));
            if (withControl)
            {
                Check(LibC.FileActionsAddDup2(fileActions, pipes[7], 3));
            }

            var cwd = (byte*)Utf8(workingDirectory, memory);
            Check(LibC.FileActionsAddChdir(fileActions, cwd));

            PrepareAttributes(attributes, sigset, LibC.PosixSpawnSetPgroup);
            Check(LibC.AttributesSetPgroup(attributes, 0));

            var path = (byte*)Utf8(executable, memory);
            var argvArray = Utf8Array(argv, memory);
            var envArray = Utf8Array(environment, memory);

            var (pid, exited) = _reaper.Spawn(() =>
            {
                var error = LibC.PosixSpawn(out var child, path, fileActions, attributes, argvArray, envArray);
                return error == 0 ? child : throw new SpawnException(error, Errno.Describe(error));
            });

            OomScore.RaiseForUserProcess(pid);
            var process = new SpawnedProcess(
                pid,
                exited,
                new SafePipeHandle(pipes[1], ownsHandle: true),
                new SafePipeHandle(pipes[2], ownsHandle: true),
                new SafePipeHandle(pipes[4], ownsHandle: true),
                withControl ? new SafePipeHandle(pipes[6], ownsHandle: true) : null);
            succeeded = true;
            return process;
        }
        finally
        {
            // The child's ends always close here; the parent's only when spawning failed.
            CloseIfOpen(pipes[0]);
            CloseIfOpen(pipes[3]);
            CloseIfOpen(pipes[5]);
            CloseIfOpen(pipes[7]);
            if (!succeeded)
            {
                CloseIfOpen(pipes[1]);
                CloseIfOpen(pipes[2]);
                CloseIfOpen(pipes[4]);
                CloseIfOpen(pipes[6]);
            }

            Release(fileActions, attributes, sigset, memory);
        }
    }

    /// <summary>
    /// Spawns <paramref name="executable"/> as the leader of a new session whose controlling
    /// terminal is the pty slave at <paramref name="terminal"/>, on fds 0, 1 and 2: a shell
    /// that gets job control, Ctrl-C and window sizes like on any terminal.
    /// </summary>
    public (int Pid, Task<ProcessExit> Exited) SpawnOnTerminal(string executable, IReadOnlyList<string> argv, IReadOnlyList<string> environment, string workingDirectory, string terminal)
    {
        var memory = new List<nint>();
        var fileActions = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        var attributes = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        var sigset = NativeMemory.AllocZeroed(LibC.OpaqueSize);
        try
        {
            // posix_spawn calls setsid before the file actions, so opening the slave (without
            // O_NOCTTY) makes it the new session's controlling terminal.
            Check(LibC.FileActionsInit(fileActions));
            Check(LibC.FileActionsAddOpen(fileActions, 0, (byte*)Utf8(terminal, memory), LibC.ORdWr, 0));
            Check(LibC.FileActionsAddDup2(fileActions, 0, 1));
            Check(LibC.FileActionsAddDup2(fileActions, 0, 2));
            Check(LibC.FileActionsAddChdir(fileActions, (byte*)Utf8(workingDirectory, memory)));

            PrepareAttributes(attributes, sigset, LibC.PosixSpawnSetSid);

            var path = (byte*)Utf8(executable, memory);
            var argvArray = Utf8Array(argv, memory);
            var envArray = Utf8Array(environment, memory);
            var spawned = _reaper.Spawn(() =>
            {
                var error = LibC.PosixSpawn(out var child, path, fileActions, attributes, argvArray, envArray);
                return error == 0 ? child : throw new SpawnException(error, Errno.Describe(error));
            });
            OomScore.RaiseForUserProcess(spawned.Pid);
            return spawned;
        }
        finally
        {
            Release(fileActions, attributes, sigset, memory);
        }
    }

    private static void Release(void* fileActions, void* attributes, void* sigset, List<nint> memory)
    {
        _ = LibC.FileActionsDestroy(fileActions);
        _ = LibC.AttributesDestroy(attributes);
        NativeMemory.Free(fileActions);
        NativeMemory.Free(attributes);
        NativeMemory.Free(sigset);
        foreach (var block in memory)
        {
            NativeMemory.Free((void*)block);
        }
    }

    /// <summary>An empty signal mask and every signal at its default, plus <paramref name="flags"/>.</summary>
    private static void PrepareAttributes(void* attributes, void* sigset, short flags)
    {
        Check(LibC.AttributesInit(attributes));
        Check(LibC.AttributesSetFlags(attributes, (short)(flags | LibC.PosixSpawnSetSigMask | LibC.PosixSpawnSetSigDef)));
        _ = LibC.SigEmptySet(sigset);
        Check(LibC.AttributesSetSigMask(attributes, sigset));
        _ = LibC.SigFillSet(sigset);

        // sigfillset leaves out glibc's internal signals 32 and 33, and posix_spawn then
        // sets them to SIG_IGN in the child, which every process in the sandbox would
        // inherit; asking for their default too keeps children as clean as docker exec's.
        ((ulong*)sigset)[0] |= (1UL << 31) | (1UL << 32);
        Check(LibC.AttributesSetSigDefault(attributes, sigset));
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new SpawnException(error, $"could not prepare the spawn: {Errno.Describe(error)}");
        }
    }

    private static void CloseIfOpen(int fd)
    {
        if (fd >= 0)
        {
            _ = LibC.Close(fd);
        }
    }

    private static nint Utf8(string value, List<nint> memory)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var block = (byte*)NativeMemory.Alloc((nuint)length + 1);
        memory.Add((nint)block);
        Encoding.UTF8.GetBytes(value, new Span<byte>(block, length));
        block[length] = 0;
        return (nint)block;
    }

    private static byte** Utf8Array(IReadOnlyList<string> values, List<nint> memory)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
        memory.Add((nint)array);
        for (var i = 0; i < values.Count; i++)
        {
            array[i] = (byte*)Utf8(values[i], memory);
        }

        return array;
    }
}
