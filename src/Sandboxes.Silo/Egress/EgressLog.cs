namespace Sandboxes.Silo.Egress;

/// <summary>What the egress proxy logs: every refusal (a security event), openings at debug level.</summary>
public sealed partial class EgressLog(ILogger<EgressLog> logger, EgressRefusals refusals)
{
    /// <summary>Logs a refusal and keeps it in the record that git clones consult.</summary>
    public void Denied(string sandbox, string host, int port, string reason)
    {
        refusals.Record(sandbox, host, port, reason);
        LogDenied(sandbox, host, port, reason);
    }

    [LoggerMessage(1, LogLevel.Information, "Egress from sandbox {Sandbox} to {Host}:{Port} refused: {Reason}")]
    private partial void LogDenied(string sandbox, string host, int port, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Egress from sandbox {Sandbox} to {Host}:{Port} ({Method})")]
    public partial void Opened(string sandbox, string host, int port, string method);

    [LoggerMessage(3, LogLevel.Warning, "Sandbox {Sandbox} holds {Limit} egress connections; refusing more")]
    public partial void TooManyConnections(string sandbox, int limit);

    [LoggerMessage(4, LogLevel.Warning, "Egress connection from sandbox {Sandbox} failed")]
    public partial void ConnectionFailed(string sandbox, Exception exception);
}
