using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>
/// Long-running processes in one sandbox. Their output is kept in the sandbox, so logs can
/// be read or followed again after a reconnect. Waits end with an RpcException of
/// FailedPrecondition (with the exit code and last output) when the process ends first,
/// and DeadlineExceeded when their timeout is up.
/// </summary>
public sealed class SandboxProcesses
{
    private readonly SandboxClient _client;
    private readonly string _sandbox;

    internal SandboxProcesses(SandboxClient client, string sandbox)
    {
        _client = client;
        _sandbox = sandbox;
    }

    /// <summary>Starts a shell command line (/bin/sh -c) in its own process group.</summary>
    public Task<ProcessInfo> StartAsync(string command, StartProcessOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(Request(options, r => r.Command = command), cancellationToken);

    /// <summary>Starts an exact argument vector; argv[0] is looked up in PATH.</summary>
    public Task<ProcessInfo> StartAsync(IReadOnlyList<string> argv, StartProcessOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(Request(options, r => r.Argv.AddRange(argv)), cancellationToken);

    public async Task<IReadOnlyList<ProcessInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        (await _client.Processes.ListAsync(new ListProcessesRequest { Sandbox = _sandbox }, cancellationToken: cancellationToken)).Processes;

    public Task<ProcessInfo> GetAsync(string id, CancellationToken cancellationToken = default) =>
        _client.Processes.GetAsync(Process(id), cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Signals the whole tree (default TERM), SIGKILLs what is left after a grace period, and returns the final record.</summary>
    public Task<ProcessInfo> KillAsync(string id, string signal = "TERM", CancellationToken cancellationToken = default) =>
        _client.Processes.KillAsync(new KillProcessRequest { Sandbox = _sandbox, Id = id, Signal = signal }, cancellationToken: cancellationToken).ResponseAsync;

    public async Task<IReadOnlyList<ProcessInfo>> KillAllAsync(CancellationToken cancellationToken = default) =>
        (await _client.Processes.KillAllAsync(new KillAllProcessesRequest { Sandbox = _sandbox }, cancellationToken: cancellationToken)).Processes;

    /// <summary>The kept stdout and stderr (up to the cap in the README).</summary>
    public Task<ProcessLogs> GetLogsAsync(string id, CancellationToken cancellationToken = default) =>
        _client.Processes.GetLogsAsync(Process(id), cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Replays the kept output (or only new output), then follows it; ends with an Exit event.</summary>
    public async IAsyncEnumerable<LogEvent> StreamLogsAsync(string id, bool fromStart = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = _client.Processes.StreamLogs(new StreamLogsRequest { Sandbox = _sandbox, Id = id, FromStart = fromStart }, cancellationToken: cancellationToken);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return e;
        }
    }

    /// <summary>Waits for a line containing <paramref name="text"/>; returns the line.</summary>
    public async Task<string> WaitForLogAsync(string id, string text, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (await _client.Processes.WaitForLogAsync(new WaitForLogRequest { Sandbox = _sandbox, Id = id, Text = text, Timeout = Duration.FromTimeSpan(timeout) }, cancellationToken: cancellationToken)).Line;

    /// <summary>Waits for a line matching the .NET regular expression <paramref name="regex"/>; returns the line.</summary>
    public async Task<string> WaitForLogMatchAsync(string id, string regex, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (await _client.Processes.WaitForLogAsync(new WaitForLogRequest { Sandbox = _sandbox, Id = id, Regex = regex, Timeout = Duration.FromTimeSpan(timeout) }, cancellationToken: cancellationToken)).Line;

    /// <summary>Waits until 127.0.0.1:<paramref name="port"/> inside the sandbox accepts connections (TCP) or answers <paramref name="expectedStatus"/> (HTTP).</summary>
    public Task<ProcessInfo> WaitForPortAsync(string id, int port, TimeSpan timeout, PortCheck mode = PortCheck.Tcp, string path = "/", int expectedStatus = 200, CancellationToken cancellationToken = default) =>
        _client.Processes.WaitForPortAsync(
            new WaitForPortRequest { Sandbox = _sandbox, Id = id, Port = (uint)port, Mode = mode, Path = path, ExpectedStatus = (uint)expectedStatus, Timeout = Duration.FromTimeSpan(timeout) },
            cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Waits until the process ends and returns its final record.</summary>
    public Task<ProcessInfo> WaitForExitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _client.Processes.WaitForExitAsync(new WaitForExitRequest { Sandbox = _sandbox, Id = id, Timeout = Duration.FromTimeSpan(timeout) }, cancellationToken: cancellationToken).ResponseAsync;

    private Task<ProcessInfo> StartAsync(StartProcessRequest request, CancellationToken cancellationToken) =>
        _client.Processes.StartAsync(request, cancellationToken: cancellationToken).ResponseAsync;

    private ProcessRequest Process(string id) => new() { Sandbox = _sandbox, Id = id };

    private StartProcessRequest Request(StartProcessOptions? options, Action<StartProcessRequest> command)
    {
        var request = new StartProcessRequest { Sandbox = _sandbox, Id = options?.Id ?? string.Empty, Cwd = options?.Cwd ?? string.Empty };
        command(request);
        foreach (var (key, value) in options?.Env ?? new Dictionary<string, string>())
        {
            request.Env[key] = value;
        }

        if (options?.Timeout is { } timeout)
        {
            request.Timeout = Duration.FromTimeSpan(timeout);
        }

        return request;
    }
}
