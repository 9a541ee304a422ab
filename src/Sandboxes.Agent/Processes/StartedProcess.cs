using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Sandboxes.Agent.Exec;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// One process started with Processes.Start: its record, its log, and (while it runs) the
/// supervision that copies its output into the log and records how it ended.
/// </summary>
public sealed class StartedProcess
{
    /// <summary>How long a tree may take to end after a polite signal before it gets SIGKILL.</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ExitGrace = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly Lock _lock = new();
    private readonly ProcessInfo _info;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _killRequested;

    private StartedProcess(string directory, ProcessInfo info, ProcessLog log)
    {
        Directory = directory;
        _info = info;
        Log = log;
    }

    public string Id => _info.Id;

    public string Directory { get; }

    public ProcessLog Log { get; }

    /// <summary>Completes once the record is final and the log closed.</summary>
    public Task Ended => _ended.Task;

    public bool IsRunning => !_ended.Task.IsCompleted;

    /// <summary>A process that ended before this agent started.</summary>
    public static StartedProcess FromRecord(string directory, ProcessInfo info)
    {
        var process = new StartedProcess(directory, info, ProcessLog.OpenEnded(directory));
        process._ended.SetResult();
        return process;
    }

    /// <summary>Spawns the command in <paramref name="directory"/>'s care; throws an RpcException when it cannot start.</summary>
    public static StartedProcess Start(string directory, string id, ExecCommand command, string display, ProcessSpawner spawner)
    {
        System.IO.Directory.CreateDirectory(directory);
        var info = new ProcessInfo { Id = id, Command = display, Status = ProcessStatus.Starting, StartedAt = Timestamp.FromDateTime(DateTime.UtcNow) };
        var process = new StartedProcess(directory, info, ProcessLog.Create(directory));
        ProcessRecords.Save(directory, info);
        SpawnedProcess spawned;
        try
        {
            spawned = spawner.Spawn(command.Executable, command.Argv, command.Environment, command.WorkingDirectory);
        }
        catch (SpawnException e)
        {
            process.Log.Close();
            System.IO.Directory.Delete(directory, recursive: true);
            throw SpawnErrors.ToRpc(e, command.Argv[0]);
        }

        // Started processes get no stdin: EOF at once, as with nohup.
        spawned.Stdin.Dispose();
        lock (process._lock)
        {
            info.Pid = spawned.Pid;
            info.Status = ProcessStatus.Running;
            ProcessRecords.Save(directory, info);
        }

        _ = process.SuperviseAsync(spawned, command.Timeout);
        return process;
    }

    public ProcessInfo Snapshot()
    {
        lock (_lock)
        {
            return _info.Clone();
        }
    }

    /// <summary>
    /// Signals the whole tree (the process group and every descendant, including those that
    /// left the group), then SIGKILLs what is left after <see cref="KillGrace"/>. Returns
    /// the final record once the process ended.
    /// </summary>
    public async Task<ProcessInfo> KillAsync(int signal)
    {
        if (!IsRunning)
        {
            return Snapshot();
        }

        Interlocked.Exchange(ref _killRequested, 1);
        var pid = Snapshot().Pid;
        var tree = ProcessTree.Descendants(pid);
        tree.Add(pid);
        ProcessTree.Signal(pid, tree, signal);
        var deadline = DateTime.UtcNow + (signal == SignalNames.Kill ? TimeSpan.Zero : KillGrace);
        while (ProcessTree.AnyAlive(pid, tree) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(PollInterval).ConfigureAwait(false);
        }

        if (ProcessTree.AnyAlive(pid, tree))
        {
            ProcessTree.Signal(pid, tree, SignalNames.Kill);
            await ProcessGroup.KillAsync(pid).ConfigureAwait(false);
        }

        await Ended.ConfigureAwait(false);
        return Snapshot();
    }

    private async Task SuperviseAsync(SpawnedProcess spawned, TimeSpan? timeout)
    {
        using var timer = timeout is { } after ? new CancellationTokenSource(after) : null;
        using var timedOut = timer?.Token.Register(() => _ = KillAsync(SignalNames.Term));
        using var grace = new CancellationTokenSource();
        var output = Channel.CreateBounded<OutputChunk>(new BoundedChannelOptions(16) { SingleReader = true });
        var pumps = Task.WhenAll(
                OutputPipe.PumpAsync(spawned.Stdout, isStderr: false, output.Writer, grace.Token, CancellationToken.None),
                OutputPipe.PumpAsync(spawned.Stderr, isStderr: true, output.Writer, grace.Token, CancellationToken.None))
            .ContinueWith(_ => output.Writer.TryComplete(), TaskScheduler.Default);
        var copy = CopyAsync(output.Reader);

        var exit = await spawned.Exited.ConfigureAwait(false);

        // Children may keep the pipes open after the process exits; they do not hold the record.
        grace.CancelAfter(ExitGrace);
        await pumps.ConfigureAwait(false);
        await copy.ConfigureAwait(false);
        lock (_lock)
        {
            _info.ExitCode = exit.ExitCode;
            _info.Signal = exit.Signal;
            _info.EndedAt = Timestamp.FromDateTime(DateTime.UtcNow);
            _info.Status = Volatile.Read(ref _killRequested) == 1 ? ProcessStatus.Killed
                : exit is { ExitCode: 0, Signal: 0 } ? ProcessStatus.Completed
                : ProcessStatus.Failed;
            TrySave();
        }

        Log.Close();
        _ended.TrySetResult();
    }

    private async Task CopyAsync(ChannelReader<OutputChunk> output)
    {
        await foreach (var chunk in output.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                Log.Append(chunk);
            }
            catch (IOException)
            {
                // A full disk loses output, never the process.
            }
        }
    }

    private void TrySave()
    {
        try
        {
            ProcessRecords.Save(Directory, _info);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The record in memory stays right; only a later agent would see the old one.
        }
    }
}
