using System.Collections.Concurrent;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// What the egress proxy logs: refusals (a security event), openings at debug level. A
/// sandbox in a refusal loop would otherwise write the silo's log as fast as it can
/// connect, so each sandbox gets <see cref="RefusalsLoggedPerMinute"/> refusal lines a
/// minute, and one line counting the rest when its next minute begins.
/// </summary>
public sealed partial class EgressLog(ILogger<EgressLog> logger, EgressRefusals refusals, TimeProvider time)
{
    public const int RefusalsLoggedPerMinute = 20;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxSandboxesTracked = 10_000;

    private readonly ConcurrentDictionary<string, RefusalWindow> _windows = new();

    /// <summary>Keeps a refusal in the record that git clones consult, and logs it unless the sandbox has used its minute's lines.</summary>
    public void Denied(string sandbox, string host, int port, string reason)
    {
        refusals.Record(sandbox, host, port, reason);
        var now = time.GetUtcNow();
        if (_windows.Count >= MaxSandboxesTracked && !_windows.ContainsKey(sandbox))
        {
            _windows.Clear();
        }

        var window = _windows.GetOrAdd(sandbox, _ => new RefusalWindow(now));
        int suppressedBefore;
        bool log;
        lock (window)
        {
            suppressedBefore = 0;
            if (now - window.Start >= Window)
            {
                suppressedBefore = window.Suppressed;
                window.Start = now;
                window.Logged = 0;
                window.Suppressed = 0;
            }

            log = window.Logged < RefusalsLoggedPerMinute;
            if (log)
            {
                window.Logged++;
            }
            else
            {
                window.Suppressed++;
            }
        }

        if (suppressedBefore > 0)
        {
            LogSuppressed(sandbox, suppressedBefore);
        }

        if (log)
        {
            LogDenied(sandbox, host, port, reason);
        }
    }

    /// <summary>Drops the sandbox's window when its egress closes.</summary>
    public void Forget(string sandbox) => _windows.TryRemove(sandbox, out _);

    [LoggerMessage(1, LogLevel.Information, "Egress from sandbox {Sandbox} to {Host}:{Port} refused: {Reason}")]
    private partial void LogDenied(string sandbox, string host, int port, string reason);

    [LoggerMessage(2, LogLevel.Debug, "Egress from sandbox {Sandbox} to {Host}:{Port} ({Method})")]
    public partial void Opened(string sandbox, string host, int port, string method);

    [LoggerMessage(3, LogLevel.Warning, "Sandbox {Sandbox} holds {Limit} egress connections; refusing more")]
    public partial void TooManyConnections(string sandbox, int limit);

    [LoggerMessage(4, LogLevel.Warning, "Egress connection from sandbox {Sandbox} failed")]
    public partial void ConnectionFailed(string sandbox, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Egress from sandbox {Sandbox}: {Count} more refusals in the last minute were not logged one by one")]
    private partial void LogSuppressed(string sandbox, int count);

    private sealed class RefusalWindow(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Logged { get; set; }

        public int Suppressed { get; set; }
    }
}
