using Microsoft.Extensions.Logging;

namespace Sandboxes.Agent.Exec;

/// <summary>Log messages of the exec service.</summary>
internal static partial class ExecLog
{
    [LoggerMessage(1, LogLevel.Debug, "Started {Program} as pid {Pid}")]
    public static partial void Started(ILogger logger, string program, int pid);

    [LoggerMessage(2, LogLevel.Debug, "pid {Pid} exited with {ExitCode} (signal {Signal}) after {Duration}")]
    public static partial void Exited(ILogger logger, int pid, int exitCode, int signal, TimeSpan duration);

    [LoggerMessage(3, LogLevel.Information, "Killed process group {Pid}: {Reason}")]
    public static partial void Killed(ILogger logger, int pid, ExecEnding reason);

    [LoggerMessage(4, LogLevel.Warning, "Could not start {Program}: {Reason}")]
    public static partial void StartFailed(ILogger logger, string program, string reason);
}
