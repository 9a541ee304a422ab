using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>
/// A persistent shell session in a sandbox: cd, export and functions last between calls,
/// and commands in one session run one at a time. Per-call env applies to that call only.
/// </summary>
public sealed class SandboxSession
{
    private readonly Sandbox _sandbox;
    private readonly SandboxClient _client;

    internal SandboxSession(Sandbox sandbox, SandboxClient client, string id)
    {
        _sandbox = sandbox;
        _client = client;
        Id = id;
    }

    public string Id { get; }

    /// <summary>Runs a command line in the session to completion.</summary>
    public Task<CommandResult> ExecAsync(string command, ExecOptions? options = null, CancellationToken cancellationToken = default) =>
        _sandbox.ExecAsync(command, (options ?? new ExecOptions()) with { Session = Id }, cancellationToken);

    /// <summary>Runs a command line in the session and streams its output.</summary>
    public IAsyncEnumerable<ExecEvent> ExecStreamAsync(string command, ExecOptions? options = null, CancellationToken cancellationToken = default) =>
        _sandbox.ExecStreamAsync(command, (options ?? new ExecOptions()) with { Session = Id }, cancellationToken);

    /// <summary>Ends the session's shell and every process its commands left behind.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default) =>
        await _client.Sessions.DeleteAsync(new SessionRequest { Sandbox = _sandbox.Name, Id = Id }, cancellationToken: cancellationToken);
}
