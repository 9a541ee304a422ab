using System.Diagnostics;
using System.Threading.Channels;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Processes;

namespace Sandboxes.Agent.Sessions;

/// <summary>
/// One command running in a session shell. Its output arrives on two FIFOs; its status on
/// the shell's fd 3. A timeout or a cancelled call kills the processes the command started
/// (the shell's children that were not there before it), never the shell, unless the
/// command is a shell builtin that will not stop: then the shell is killed and replaced.
/// </summary>
public sealed class SessionCommand : IRunningCommand
{
    private static readonly TimeSpan ExitGrace = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ShellKillAfter = TimeSpan.FromSeconds(2);

    private readonly SessionShell _shell;
    private readonly SessionFifo _stdout;
    private readonly SessionFifo _stderr;
    private readonly HashSet<int> _before;
    private readonly Action _release;
    private readonly Channel<OutputChunk> _output = Channel.CreateBounded<OutputChunk>(new BoundedChannelOptions(16) { SingleReader = true });
    private readonly CancellationTokenSource _grace = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource? _timeout;
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _pumps;
    private Task<int> _status = Task.FromResult(0);
    private Task<ProcessExit>? _exit;
    private int _ending;

    private SessionCommand(SessionShell shell, SessionFifo stdout, SessionFifo stderr, Action release, TimeSpan? timeout)
    {
        _shell = shell;
        _stdout = stdout;
        _stderr = stderr;
        _release = release;
        _before = ProcessTree.Descendants(shell.Pid);
        _pumps = Task.WhenAll(
                OutputPipe.PumpAsync(stdout.Reader, isStderr: false, _output.Writer, _grace.Token, _abort.Token),
                OutputPipe.PumpAsync(stderr.Reader, isStderr: true, _output.Writer, _grace.Token, _abort.Token))
            .ContinueWith(_ => _output.Writer.TryComplete(), TaskScheduler.Default);
        if (timeout is { } after)
        {
            _timeout = new CancellationTokenSource(after);
        }
    }

    public int Pid => _shell.Pid;

    public ChannelReader<OutputChunk> Output => _output.Reader;

    public ExecEnding Ending => (ExecEnding)Volatile.Read(ref _ending);

    public TimeSpan Duration { get; private set; }

    /// <summary>Sends the command to the shell; <paramref name="release"/> lets the session's next command run.</summary>
    public static async Task<SessionCommand> StartAsync(SessionShell shell, string directory, long sequence, SessionCall call, Action release, CancellationToken callCancelled)
    {
        var stdout = SessionFifo.Create(Path.Combine(directory, $"{sequence}.out"));
        var stderr = SessionFifo.Create(Path.Combine(directory, $"{sequence}.err"));
        var command = new SessionCommand(shell, stdout, stderr, release, call.Timeout);
        var line = SessionScript.Build(sequence, call.Command, call.Env, call.WorkingDirectory, stdout.Path, stderr.Path);
        command._status = await shell.SendAsync(sequence, line);
        command._exit = command.WatchAsync();
        if (command._timeout is not null)
        {
            command._registrations.Add(command._timeout.Token.Register(() => command.Kill(ExecEnding.TimedOut)));
        }

        command._registrations.Add(callCancelled.Register(() => command.Kill(ExecEnding.Cancelled)));
        return command;
    }

    public void Kill(ExecEnding reason)
    {
        if (_status.IsCompleted || Interlocked.CompareExchange(ref _ending, (int)reason, (int)ExecEnding.Completed) != (int)ExecEnding.Completed)
        {
            return;
        }

        _ = KillStartedAsync();
    }

    public Task<ProcessExit> WaitForExitAsync() => _exit ?? Task.FromResult(new ProcessExit(0, 0));

    public async ValueTask DisposeAsync()
    {
        foreach (var registration in _registrations)
        {
            await registration.DisposeAsync();
        }

        if (!_status.IsCompleted)
        {
            Kill(ExecEnding.Cancelled);
        }

        await WaitForExitAsync();
        await _abort.CancelAsync();
        await _grace.CancelAsync();
        await _pumps;
        _stdout.Dispose();
        _stderr.Dispose();
        _timeout?.Dispose();
        _abort.Dispose();
        _release();
    }

    private async Task<ProcessExit> WatchAsync()
    {
        var status = await _status;
        Duration = _clock.Elapsed;
        _stdout.ReleaseWriter();
        _stderr.ReleaseWriter();
        _grace.CancelAfter(ExitGrace);
        return Ending == ExecEnding.Completed || status <= 128 ? new ProcessExit(status, 0) : new ProcessExit(status, status - 128);
    }

    /// <summary>Kills what the command started, round after round, and the shell itself if the command will not end.</summary>
    private async Task KillStartedAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (!_status.IsCompleted)
        {
            if (deadline.Elapsed > ShellKillAfter)
            {
                _shell.Kill();
                return;
            }

            var started = ProcessTree.Descendants(_shell.Pid);
            started.ExceptWith(_before);
            ProcessTree.SignalEach(started, SignalNames.Kill);

            await Task.WhenAny(_status, Task.Delay(20));
        }
    }
}
