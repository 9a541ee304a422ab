using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Sandboxes.Agent.Native;

namespace Sandboxes.Agent.Processes;

/// <summary>
/// The one place that calls waitpid. The agent is a child subreaper, so orphaned
/// grandchildren are re-parented to it; one thread reaps every child, completes the exit
/// task of the ones the agent spawned, and discards the rest so no zombie piles up.
/// </summary>
public sealed partial class ChildReaper
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, TaskCompletionSource<ProcessExit>> _waiting = [];
    private readonly object _spawnSignal = new();
    private readonly ILogger<ChildReaper> _logger;
    private bool _spawned;
    private Thread? _thread;

    public ChildReaper(ILogger<ChildReaper> logger) => _logger = logger;

    /// <summary>Becomes subreaper and starts the reaper thread.</summary>
    public void Start()
    {
        if (LibC.Prctl(LibC.PrSetChildSubreaper, 1, 0, 0, 0) != 0)
        {
            LogSubreaperFailed(_logger, Errno.Describe(Marshal.GetLastPInvokeError()));
        }

        _thread = new Thread(ReapLoop) { IsBackground = true, Name = "sandboxd reaper" };
        _thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="spawn"/> under the reaper's lock and registers the pid it
    /// returns, so a child that exits at once cannot be reaped before anyone waits for it.
    /// </summary>
    public (int Pid, Task<ProcessExit> Exited) Spawn(Func<int> spawn)
    {
        TaskCompletionSource<ProcessExit> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int pid;
        lock (_lock)
        {
            pid = spawn();
            _waiting[pid] = exited;
        }

        lock (_spawnSignal)
        {
            _spawned = true;
            Monitor.Pulse(_spawnSignal);
        }

        return (pid, exited.Task);
    }

    private void ReapLoop()
    {
        while (true)
        {
            try
            {
                var pid = LibC.WaitPid(-1, out var status, 0);
                if (pid > 0)
                {
                    Complete(pid, status);
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.ECHILD)
                {
                    // No children at all (an orphan could only come from a live child), so
                    // sleep until the next spawn instead of spinning.
                    WaitForSpawn();
                }
                else if (errno != Errno.EINTR)
                {
                    LogWaitFailed(_logger, Errno.Describe(errno));
                    Thread.Sleep(100);
                }
            }
            catch (Exception e)
            {
                // The reaper must outlive anything; a dead reaper would hang every exec.
                LogWaitFailed(_logger, e.Message);
                Thread.Sleep(100);
            }
        }
    }

    private void WaitForSpawn()
    {
        lock (_spawnSignal)
        {
            while (!_spawned)
            {
                Monitor.Wait(_spawnSignal);
            }

            _spawned = false;
        }
    }

    private void Complete(int pid, int status)
    {
        TaskCompletionSource<ProcessExit>? exited;
        lock (_lock)
        {
            _waiting.Remove(pid, out exited);
        }

        exited?.TrySetResult(ProcessExit.FromWaitStatus(status));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not become child subreaper: {Reason}; orphaned grandchildren will not be reaped by the agent")]
    private static partial void LogSubreaperFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "waitpid failed: {Reason}")]
    private static partial void LogWaitFailed(ILogger logger, string reason);
}
