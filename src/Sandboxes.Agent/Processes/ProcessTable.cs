using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Hosting;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// Every started process the sandbox knows, by id: the live ones and the records of those
/// that ended, in this agent's life or an earlier one (before a sleep or a restart).
/// </summary>
public sealed partial class ProcessTable
{
    // Ended records beyond this many are deleted, oldest first, when a process starts.
    private const int KeptEndedRecords = 200;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, StartedProcess> _processes = new(StringComparer.Ordinal);
    private readonly AgentState _state;
    private readonly ProcessSpawner _spawner;
    private readonly ExecEnvironment _environment;
    private readonly ILogger<ProcessTable> _logger;

    public ProcessTable(AgentState state, ProcessSpawner spawner, ExecEnvironment environment, ILogger<ProcessTable> logger)
    {
        _state = state;
        _spawner = spawner;
        _environment = environment;
        _logger = logger;
    }

    public int RunningCount
    {
        get
        {
            lock (_lock)
            {
                return _processes.Values.Count(p => p.IsRunning);
            }
        }
    }

    /// <summary>
    /// Reads the records left by earlier agents. A process recorded as running died with
    /// its agent (the container stopped), so it is recorded as killed now.
    /// </summary>
    public void Load()
    {
        if (!Directory.Exists(_state.Processes))
        {
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(_state.Processes))
        {
            if (ProcessRecords.Load(directory) is not { } info || info.Id != Path.GetFileName(directory))
            {
                continue;
            }

            if (info.IsRunning())
            {
                info.Status = ProcessStatus.Killed;
                info.EndedAt = Timestamp.FromDateTime(DateTime.UtcNow);
                ProcessRecords.Save(directory, info);
                LogEndedWithAgent(_logger, info.Id);
            }

            _processes[info.Id] = StartedProcess.FromRecord(directory, info);
        }
    }

    public StartedProcess Start(StartProcessRequest request)
    {
        var id = ProcessIds.ValidateOrGenerate(request.Id, "process id", "p");
        var command = ExecCommand.Parse(
            new ExecRequest { Command = request.Command, Argv = { request.Argv }, Env = { request.Env }, Cwd = request.Cwd, Timeout = request.Timeout },
            _environment);
        var display = request.Command.Length > 0 ? request.Command : string.Join(' ', request.Argv);
        lock (_lock)
        {
            if (_processes.TryGetValue(id, out var existing))
            {
                if (existing.IsRunning)
                {
                    throw new RpcException(new Status(StatusCode.AlreadyExists, $"process '{id}' is already running; kill it or choose another id"));
                }

                _processes.Remove(id);
                Directory.Delete(existing.Directory, recursive: true);
            }

            PruneEnded();
            StartedProcess process;
            try
            {
                process = StartedProcess.Start(Path.Combine(_state.Processes, id), id, command, display, _spawner);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"cannot keep the process's log under {_state.Processes}: {e.Message}"));
            }

            _processes[id] = process;
            LogStarted(_logger, id, process.Snapshot().Pid, display);
            return process;
        }
    }

    /// <summary>The process with this id, or NOT_FOUND.</summary>
    public StartedProcess Get(string id)
    {
        ProcessIds.Validate(id, "process id");
        lock (_lock)
        {
            return _processes.TryGetValue(id, out var process)
                ? process
                : throw new RpcException(new Status(StatusCode.NotFound, $"no process with id '{id}' in this sandbox"));
        }
    }

    /// <summary>Every process, oldest first.</summary>
    public List<StartedProcess> All()
    {
        lock (_lock)
        {
            return [.. _processes.Values.OrderBy(p => p.Snapshot().StartedAt)];
        }
    }

    private void PruneEnded()
    {
        var ended = _processes.Values.Where(p => !p.IsRunning).OrderBy(p => p.Snapshot().StartedAt).ToList();
        foreach (var process in ended.Take(Math.Max(0, ended.Count - KeptEndedRecords + 1)))
        {
            _processes.Remove(process.Id);
            try
            {
                Directory.Delete(process.Directory, recursive: true);
            }
            catch (IOException)
            {
                // Pruning again at the next start is good enough.
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Started process {Id} as pid {Pid}: {Command}")]
    private static partial void LogStarted(ILogger logger, string id, int pid, string command);

    [LoggerMessage(2, LogLevel.Information, "Process {Id} was running when the agent last stopped; recorded as killed")]
    private static partial void LogEndedWithAgent(ILogger logger, string id);
}
