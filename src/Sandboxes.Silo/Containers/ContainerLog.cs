namespace Sandboxes.Silo.Containers;

internal static partial class ContainerLog
{
    [LoggerMessage(1, LogLevel.Information, "Created container {ContainerId} for sandbox {Sandbox}")]
    public static partial void Created(ILogger logger, string sandbox, string containerId);
}
