using System.Diagnostics;
using System.IO.Pipes;
using System.Threading.Channels;
using Grpc.Core;
using Sandboxes.Agent.Processes;

namespace Sandboxes.Agent.Exec;

/// <summary>
/// One running command: its process group, its output as one ordered channel, its stdin,
/// and the timeout and cancellation that kill the whole group.
/// </summary>
public sealed class ExecSession : IRunningCommand
{
    // How long output may still arrive after the command exits before the agent stops
    // waiting for EOF (a background child can keep the pipes open indefinitely).
    private static readonly TimeSpan ExitGrace = TimeSpan.FromMilliseconds(100);

    private readonly SpawnedProcess _process;
    private readonly Channel<OutputChunk> _output = Channel.CreateBounded<OutputChunk>(
        new BoundedChannelOptions(16) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _grace = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource? _timeout;
    private readonly TimeSpan? _timeoutAfter;
    private readonly AnonymousPipeClientStream _stdin;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _pumps;
    private readonly Task _exitWatch;
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private int _ending;
    private Task<bool> _kill = Task.FromResult(true);
    private TimeSpan _duration;

    private ExecSession(SpawnedProcess process, TimeSpan? timeout, CancellationToken callCancelled)
    {
        _process = process;
        _timeoutAfter = timeout;
        _stdin = new AnonymousPipeClientStream(PipeDirection.Out, process.Stdin);
        _pumps = PumpAsync();
        _exitWatch = WatchExitAsync();
        if (timeout is { } after)
        {
            _timeout = new CancellationTokenSource(after);
            _registrations.Add(_timeout.Token.Register(() => Kill(ExecEnding.TimedOut)));
        }

        _registrations.Add(callCancelled.Register(() => Kill(ExecEnding.Cancelled)));
    }

    /// <summary>The command's pid, which is also its process group id.</summary>
    public int Pid => _process.Pid;

    /// <summary>stdout and stderr chunks in the order read; completes after EOF or the exit grace.</summary>
    public ChannelReader<OutputChunk> Output => _output.Reader;

    /// <summary>Why the group was killed, or Completed when it was not.</summary>
    public ExecEnding Ending => (ExecEnding)Volatile.Read(ref _ending);

    /// <summary>Time from spawn to exit (valid once <see cref="WaitForExitAsync"/> returned).</summary>
    public TimeSpan Duration => _duration;

    /// <summary>Spawns the command; throws an RpcException that says why it could not start.</summary>
    public static ExecSession Start(ExecCommand command, ProcessSpawner spawner, CancellationToken callCancelled)
    {
        SpawnedProcess process;
        try
        {
            process = spawner.Spawn(command.Executable, command.Argv, command.Environment, command.WorkingDirectory);
        }
        catch (SpawnException e)
        {
            throw SpawnErrors.ToRpc(e, command.Argv[0]);
        }

        return new ExecSession(process, command.Timeout, callCancelled);
    }

    /// <summary>Writes to the command's stdin; false once the command no longer reads it.</summary>
    public async Task<bool> WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await _stdin.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Gives the command EOF on stdin.</summary>
    public void CloseStdin() => _stdin.Dispose();

    /// <summary>Kills the whole process group; the first reason wins.</summary>
    public void Kill(ExecEnding reason)
    {
        // A timeout that fires after the command exited by itself changes nothing.
        if (reason == ExecEnding.TimedOut && _process.Exited.IsCompleted)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _ending, (int)reason, (int)ExecEnding.Completed) == (int)ExecEnding.Completed)
        {
            _kill = ProcessGroup.KillAsync(_process.Pid);
        }
    }

    /// <summary>Waits for the command to exit and, if it was killed, for its group to be gone.</summary>
    public async Task<ProcessExit> WaitForExitAsync()
    {
        var exit = await _process.Exited.ConfigureAwait(false);
        await _exitWatch.ConfigureAwait(false);
        await _kill.ConfigureAwait(false);
        return exit;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var registration in _registrations)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }

        // Only an abandoned call gets here with the command still running: never leave it
        // behind unattended.
        if (!_process.Exited.IsCompleted)
        {
            Kill(ExecEnding.Cancelled);
        }

        // Abort first so the pumps, cut short by the grace token, drop what they drain.
        await _abort.CancelAsync().ConfigureAwait(false);
        await _grace.CancelAsync().ConfigureAwait(false);
        await _stdin.DisposeAsync().ConfigureAwait(false);
        await _pumps.ConfigureAwait(false);
        await _kill.ConfigureAwait(false);

        // The timeout bounds the whole group, not only the first process: children it left
        // behind still die when the time is up, after the call has returned.
        if (_timeoutAfter is { } timeout && Ending == ExecEnding.Completed)
        {
            _ = ProcessGroup.KillAtDeadlineAsync(_process.Pid, timeout - _clock.Elapsed);
        }

        _timeout?.Dispose();
        _abort.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            await Task.WhenAll(
                OutputPipe.PumpAsync(_process.Stdout, isStderr: false, _output.Writer, _grace.Token, _abort.Token),
                OutputPipe.PumpAsync(_process.Stderr, isStderr: true, _output.Writer, _grace.Token, _abort.Token)).ConfigureAwait(false);
        }
        finally
        {
            _output.Writer.TryComplete();
        }
    }

    private async Task WatchExitAsync()
    {
        await _process.Exited.ConfigureAwait(false);
        _duration = _clock.Elapsed;

        // Not disposed by the session, so this is safe however late the exit comes.
        _grace.CancelAfter(ExitGrace);
    }
}
