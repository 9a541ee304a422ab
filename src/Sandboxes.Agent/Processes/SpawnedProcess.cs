using Microsoft.Win32.SafeHandles;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// A child running in its own process group (pgid == pid), with the parent's ends of its
/// stdin, stdout and stderr pipes.
/// </summary>
public sealed class SpawnedProcess
{
    public SpawnedProcess(int pid, Task<ProcessExit> exited, SafePipeHandle stdin, SafePipeHandle stdout, SafePipeHandle stderr, SafePipeHandle? control = null)
    {
        Control = control;
        Pid = pid;
        Exited = exited;
        Stdin = stdin;
        Stdout = stdout;
        Stderr = stderr;
    }

    /// <summary>The child's pid, which is also its process group id.</summary>
    public int Pid { get; }

    /// <summary>Completes when the reaper has collected the child.</summary>
    public Task<ProcessExit> Exited { get; }

    public SafePipeHandle Stdin { get; }

    public SafePipeHandle Stdout { get; }

    public SafePipeHandle Stderr { get; }

    /// <summary>The agent's end of the child's fd 3 (a pipe or a socket), when it was spawned with one.</summary>
    public SafePipeHandle? Control { get; }
}
