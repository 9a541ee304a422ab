using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Processes;

namespace Sandboxes.Agent.Sessions;

/// <summary>
/// A persistent shell context: one shell at a time, commands one at a time. Sessions live
/// as long as the agent; a sandbox that sleeps starts with only the default session.
/// </summary>
public sealed class ShellSession : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly string _directory;
    private readonly ProcessSpawner _spawner;
    private readonly IReadOnlyList<string> _environment;
    private readonly string _workingDirectory;
    private SessionShell _shell;
    private long _sequence;
    private volatile bool _deleted;

    public ShellSession(string id, string directory, ProcessSpawner spawner, IReadOnlyList<string> environment, string workingDirectory)
    {
        Id = id;
        _directory = directory;
        _spawner = spawner;
        _environment = environment;
        _workingDirectory = workingDirectory;
        Directory.CreateDirectory(directory);
        _shell = SessionShell.Start(spawner, environment, workingDirectory);
    }

    public string Id { get; }

    public DateTime CreatedAt { get; } = DateTime.UtcNow;

    public int Pid => _shell.Pid;

    /// <summary>Waits for the session's turn, then starts the command in its shell.</summary>
    public async Task<IRunningCommand> RunAsync(SessionCall call, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            if (_deleted)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"session '{Id}' was deleted"));
            }

            if (_shell.HasExited)
            {
                // The last command ended the shell (exit, or a kill): the state starts over.
                _shell.Dispose();
                _shell = SessionShell.Start(_spawner, _environment, _workingDirectory);
            }

            var sequence = Interlocked.Increment(ref _sequence);
            return await SessionCommand.StartAsync(_shell, _directory, sequence, call, () => _turn.Release(), cancellationToken);
        }
        catch
        {
            _turn.Release();
            throw;
        }
    }

    /// <summary>Commands still waiting for their turn keep the turn's semaphore; only the shell is let go.</summary>
    public void Dispose() => Delete();

    /// <summary>Kills the shell and every process its commands left behind.</summary>
    public void Delete()
    {
        _deleted = true;
        _shell.Kill();
        _shell.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A command still finishing removes its own FIFOs.
        }
    }
}
