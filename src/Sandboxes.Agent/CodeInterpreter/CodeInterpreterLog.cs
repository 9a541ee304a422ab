namespace Sandboxes.Agent.CodeInterpreter;

internal static partial class CodeInterpreterLog
{
    [LoggerMessage(1, LogLevel.Warning, "Code runner {Pid}: reading its output failed; it was killed")]
    public static partial void ReadFailed(ILogger logger, Exception exception, int pid);

    [LoggerMessage(2, LogLevel.Warning, "Code runner {Pid} sent an unreadable message: {Error}")]
    public static partial void UnreadableMessage(ILogger logger, int pid, string error);

    [LoggerMessage(3, LogLevel.Warning, "Could not prestart a {Language} interpreter: {Error}")]
    public static partial void PrestartFailed(ILogger logger, string language, string error);
}
