using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipes;
using System.Text;
using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Processes;

namespace Sandboxes.Agent.Sessions;

/// <summary>
/// One long-lived <c>bash --noprofile --norc</c> of a session, reading command lines on its
/// stdin and reporting "SEQUENCE STATUS" lines on fd 3. If it dies (a command ran `exit`,
/// or a timeout had to kill it), every pending command ends with its exit code and the
/// session starts a fresh shell for the next command.
/// </summary>
public sealed class SessionShell : IDisposable
{
    public const string Bash = "/bin/bash";

    private readonly SpawnedProcess _process;
    private readonly AnonymousPipeClientStream _stdin;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<int>> _pending = new();

    private SessionShell(SpawnedProcess process)
    {
        _process = process;
        _stdin = new AnonymousPipeClientStream(PipeDirection.Out, process.Stdin);
        _ = DiscardAsync(process.Stdout);
        _ = DiscardAsync(process.Stderr);
        _ = ReadStatusesAsync();
    }

    public int Pid => _process.Pid;

    public bool HasExited => _process.Exited.IsCompleted;

    public static SessionShell Start(ProcessSpawner spawner, IReadOnlyList<string> environment, string workingDirectory)
    {
        if (!File.Exists(Bash))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"sessions need {Bash} in the image"));
        }

        try
        {
            return new SessionShell(spawner.Spawn(Bash, ["bash", "--noprofile", "--norc"], environment, workingDirectory, ControlChannel.Pipe));
        }
        catch (SpawnException e)
        {
            throw SpawnErrors.ToRpc(e, Bash);
        }
    }

    /// <summary>Sends one command line; the task completes with its status, or the shell's exit code if it died.</summary>
    public async Task<Task<int>> SendAsync(long sequence, string line)
    {
        var status = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[sequence] = status;
        if (HasExited)
        {
            FailPending((await _process.Exited).ExitCode);
            return status.Task;
        }

        try
        {
            await _stdin.WriteAsync(Encoding.UTF8.GetBytes(line));
            await _stdin.FlushAsync();
        }
        catch (IOException)
        {
            // The shell is gone; the status reader fails the command with its exit code.
        }

        return status.Task;
    }

    /// <summary>SIGKILLs the shell and everything it started.</summary>
    public void Kill()
    {
        var tree = ProcessTree.Descendants(Pid);
        tree.Add(Pid);
        ProcessTree.Signal(Pid, tree, SignalNames.Kill);
    }

    public void Dispose() => _stdin.Dispose();

    private async Task ReadStatusesAsync()
    {
        try
        {
            using var reader = new StreamReader(new AnonymousPipeClientStream(PipeDirection.In, _process.Control!));
            while (await reader.ReadLineAsync() is { } line)
            {
                var parts = line.Split(' ');
                if (parts.Length == 2
                    && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                    && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status)
                    && _pending.TryRemove(sequence, out var pending))
                {
                    pending.TrySetResult(status);
                }
            }
        }
        catch (IOException)
        {
            // Same as EOF: the shell is gone.
        }

        FailPending((await _process.Exited).ExitCode);
        await _stdin.DisposeAsync();
    }

    private void FailPending(int exitCode)
    {
        foreach (var sequence in _pending.Keys)
        {
            if (_pending.TryRemove(sequence, out var pending))
            {
                pending.TrySetResult(exitCode);
            }
        }
    }

    /// <summary>The shell's own output (warnings, job notices) goes nowhere; commands have their FIFOs.</summary>
    private static async Task DiscardAsync(Microsoft.Win32.SafeHandles.SafePipeHandle handle)
    {
        await using var stream = new AnonymousPipeClientStream(PipeDirection.In, handle);
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }
}
