namespace Sandboxes.Silo.Sandboxes;

internal static partial class SandboxLog
{
    [LoggerMessage(1, LogLevel.Information, "Sandbox {Sandbox} is running (container {ContainerId}, agent ready in {ReadyMs} ms)")]
    public static partial void Running(ILogger logger, string sandbox, string containerId, long readyMs);

    [LoggerMessage(2, LogLevel.Information, "Sandbox {Sandbox} re-attached to its running container {ContainerId}")]
    public static partial void Reattached(ILogger logger, string sandbox, string containerId);

    [LoggerMessage(3, LogLevel.Information, "Sandbox {Sandbox} idle for {Idle}; stopping its container")]
    public static partial void Sleeping(ILogger logger, string sandbox, TimeSpan idle);

    [LoggerMessage(4, LogLevel.Warning, "Sandbox {Sandbox} had no container; created a fresh one, earlier files are gone")]
    public static partial void ContainerLost(ILogger logger, string sandbox);

    [LoggerMessage(5, LogLevel.Information, "Sandbox {Sandbox} destroyed")]
    public static partial void Destroyed(ILogger logger, string sandbox);

    [LoggerMessage(6, LogLevel.Information, "Sandbox {Sandbox} deactivating ({Reason}); its container keeps running")]
    public static partial void Deactivating(ILogger logger, string sandbox, string reason);

    [LoggerMessage(8, LogLevel.Warning, "Sandbox {Sandbox}'s agent no longer answers; stopping its container")]
    public static partial void AgentGone(ILogger logger, string sandbox);

    [LoggerMessage(7, LogLevel.Warning, "Sandbox {Sandbox} idleness check failed")]
    public static partial void IdleCheckFailed(ILogger logger, Exception exception, string sandbox);
}
