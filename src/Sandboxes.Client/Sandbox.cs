using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>A named sandbox. Cheap to create; every call goes to the server.</summary>
public sealed partial class Sandbox
{
    private readonly SandboxClient _client;

    internal Sandbox(SandboxClient client, string name)
    {
        _client = client;
        Name = name;
        Files = new SandboxFiles(client, name);
        Processes = new SandboxProcesses(client, name);
    }

    public string Name { get; }

    public SandboxFiles Files { get; }

    /// <summary>Long-running processes: start, list, wait for, kill, and their logs.</summary>
    public SandboxProcesses Processes { get; }

    /// <summary>Creates a persistent shell session; null <paramref name="id"/> lets the server choose one.</summary>
    public async Task<SandboxSession> CreateSessionAsync(string? id = null, IReadOnlyDictionary<string, string>? env = null, string? cwd = null, CancellationToken cancellationToken = default)
    {
        var request = new CreateSessionRequest { Sandbox = Name, Id = id ?? string.Empty, Cwd = cwd ?? string.Empty };
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            request.Env[key] = value;
        }

        var info = await _client.Sessions.CreateAsync(request, cancellationToken: cancellationToken);
        return new SandboxSession(this, _client, info.Id);
    }

    /// <summary>A handle to an existing session (no call is made); "default" always exists.</summary>
    public SandboxSession Session(string id) => new(this, _client, id);

    /// <summary>The sessions whose shells are alive, "default" included once used.</summary>
    public async Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(CancellationToken cancellationToken = default) =>
        (await _client.Sessions.ListAsync(new ListSessionsRequest { Sandbox = Name }, cancellationToken: cancellationToken)).Sessions;

    /// <summary>
    /// Streams file changes under <paramref name="path"/> until cancelled. The first event is
    /// <c>Ready</c>: changes made after it are reported.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string path, WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new WatchRequest { Sandbox = Name, Path = path, Flat = !(options?.Recursive ?? true) };
        request.Include.AddRange(options?.Include ?? []);
        request.Exclude.AddRange(options?.Exclude ?? []);
        using var call = _client.Watches.Watch(request, cancellationToken: cancellationToken);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return e;
        }
    }

    /// <summary>
    /// Clones a repository into the sandbox through the egress proxy (the silo's
    /// Egress:AllowedHosts must allow the host). Progress lines go to <paramref name="progress"/>
    /// as git prints them. Failures are <see cref="RpcException"/>s quoting git: NotFound for a
    /// missing repository or branch, InvalidArgument for a bad URL, PermissionDenied for a host
    /// the proxy refuses, AlreadyExists for a non-empty target.
    /// </summary>
    public async Task<GitCheckoutResult> GitCheckoutAsync(string url, GitCheckoutOptions? options = null, IProgress<GitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var request = new GitCheckoutRequest
        {
            Sandbox = Name,
            Url = url,
            Branch = options?.Branch ?? string.Empty,
            TargetDir = options?.TargetDir ?? string.Empty,
            Depth = options?.Depth ?? 0,
            Timeout = options?.Timeout is { } timeout ? Duration.FromTimeSpan(timeout) : null,
        };
        using var call = _client.Git.Checkout(request, cancellationToken: cancellationToken);
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (e.EventCase == GitCheckoutEvent.EventOneofCase.Progress)
            {
                progress?.Report(e.Progress);
            }
            else if (e.EventCase == GitCheckoutEvent.EventOneofCase.Done)
            {
                return e.Done;
            }
        }

        throw new RpcException(new Status(StatusCode.Unavailable, "the server ended the clone without a result"));
    }

    /// <summary>
    /// Makes a port of the sandbox reachable from a browser and returns its preview URL
    /// (<c>http://{port}-{sandbox}-{token}.{domain}</c>). Exposing it again returns the same URL.
    /// </summary>
    public async Task<ExposedPortInfo> ExposePortAsync(int port, string? name = null, CancellationToken cancellationToken = default) =>
        await _client.Ports.ExposeAsync(new ExposePortRequest { Sandbox = Name, Port = port, Name = name ?? string.Empty }, cancellationToken: cancellationToken);

    /// <summary>Closes a port's preview URL. False when it was not exposed.</summary>
    public async Task<bool> UnexposePortAsync(int port, CancellationToken cancellationToken = default) =>
        (await _client.Ports.UnexposeAsync(new UnexposePortRequest { Sandbox = Name, Port = port }, cancellationToken: cancellationToken)).Unexposed;

    public async Task<IReadOnlyList<ExposedPortInfo>> GetExposedPortsAsync(CancellationToken cancellationToken = default) =>
        (await _client.Ports.ListAsync(new ListExposedPortsRequest { Sandbox = Name }, cancellationToken: cancellationToken)).Ports;

    /// <summary>Opens a terminal: a shell on a pseudo-terminal in the sandbox.</summary>
    public Task<SandboxTerminal> OpenTerminalAsync(TerminalOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TerminalOptions();
        var open = new OpenTerminal { Sandbox = Name, Id = options.Id ?? string.Empty, Cols = options.Cols, Rows = options.Rows, Shell = options.Shell ?? string.Empty, Cwd = options.Cwd ?? string.Empty };
        foreach (var (key, value) in options.Env ?? new Dictionary<string, string>())
        {
            open.Env[key] = value;
        }

        return SandboxTerminal.ConnectAsync(_client.Terminals, new TerminalInput { Open = open }, cancellationToken);
    }

    /// <summary>Joins a running terminal as another viewer; it first replays the last 64 KiB of output.</summary>
    public Task<SandboxTerminal> AttachTerminalAsync(string id, CancellationToken cancellationToken = default) =>
        SandboxTerminal.ConnectAsync(_client.Terminals, new TerminalInput { Attach = new AttachTerminal { Sandbox = Name, Id = id } }, cancellationToken);

    public async Task<IReadOnlyList<TerminalInfo>> ListTerminalsAsync(CancellationToken cancellationToken = default) =>
        (await _client.Terminals.ListAsync(new ListTerminalsRequest { Sandbox = Name }, cancellationToken: cancellationToken)).Terminals;

    /// <summary>Runs a shell command line (/bin/sh -c) to completion.</summary>
    public Task<CommandResult> ExecAsync(string command, ExecOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(Request(options, command, null), options, cancellationToken);

    /// <summary>Runs an exact argument vector to completion; argv[0] is looked up in PATH.</summary>
    public Task<CommandResult> ExecAsync(IReadOnlyList<string> argv, ExecOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(Request(options, null, argv), options, cancellationToken);

    /// <summary>Runs a shell command line and streams its output as it happens.</summary>
    public async IAsyncEnumerable<ExecEvent> ExecStreamAsync(string command, ExecOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var session = StartExec(Request(options, command, null), cancellationToken);
        await session.CloseStdinAsync();
        await foreach (var e in session.Events.WithCancellation(cancellationToken))
        {
            yield return e;
        }
    }

    /// <summary>Starts a command with a live stdin. Dispose the session to cancel it.</summary>
    public ExecSession StartExec(IReadOnlyList<string> argv, ExecOptions? options = null, CancellationToken cancellationToken = default) =>
        StartExec(Request(options, null, argv), cancellationToken);

    public ExecSession StartExec(string command, ExecOptions? options = null, CancellationToken cancellationToken = default) =>
        StartExec(Request(options, command, null), cancellationToken);

    public Task<SandboxInfo> GetInfoAsync(CancellationToken cancellationToken = default) =>
        _client.Lifecycle.GetAsync(new GetSandboxRequest { Name = Name }, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Removes the sandbox entirely. False when it did not exist.</summary>
    public async Task<bool> DestroyAsync(CancellationToken cancellationToken = default) =>
        (await _client.Lifecycle.DestroyAsync(new DestroySandboxRequest { Name = Name }, cancellationToken: cancellationToken)).Existed;

    /// <summary>Sets how long the sandbox may idle before it sleeps, or keeps it always awake.</summary>
    public Task<SandboxInfo> SetSleepPolicyAsync(TimeSpan? sleepAfter, bool keepAlive = false, CancellationToken cancellationToken = default) =>
        _client.Lifecycle.SetSleepPolicyAsync(
            new SetSleepPolicyRequest { Name = Name, SleepAfter = sleepAfter is { } s ? Duration.FromTimeSpan(s) : null, KeepAlive = keepAlive },
            cancellationToken: cancellationToken).ResponseAsync;

    private ExecSession StartExec(ExecRequest request, CancellationToken cancellationToken) =>
        new(_client.Exec.Stream(cancellationToken: cancellationToken), request);

    private async Task<CommandResult> RunAsync(ExecRequest request, ExecOptions? options, CancellationToken cancellationToken)
    {
        if (options is { Stdin.IsEmpty: false })
        {
            request.Stdin = ByteString.CopyFrom(options.Stdin.Span);
        }

        try
        {
            var result = await _client.Exec.RunAsync(request, cancellationToken: cancellationToken);
            return new CommandResult(result.ExitCode, result.Stdout.ToByteArray(), result.Stderr.ToByteArray(), result.StdoutTruncated, result.StderrTruncated, result.Signal, result.Duration?.ToTimeSpan() ?? TimeSpan.Zero);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded && request.Timeout is not null)
        {
            throw new ExecTimeoutException(e.Status.Detail, e.Trailers.GetValueBytes("sandboxes-stdout-bin") ?? [], e.Trailers.GetValueBytes("sandboxes-stderr-bin") ?? [], e);
        }
    }

    private ExecRequest Request(ExecOptions? options, string? command, IReadOnlyList<string>? argv)
    {
        var request = new ExecRequest { Sandbox = Name, Cwd = options?.Cwd ?? string.Empty, Session = options?.Session ?? string.Empty };
        if (command is not null)
        {
            request.Command = command;
        }

        if (argv is not null)
        {
            request.Argv.AddRange(argv);
        }

        if (options?.Env is { } env)
        {
            foreach (var (key, value) in env)
            {
                request.Env[key] = value;
            }
        }

        if (options?.Timeout is { } timeout)
        {
            request.Timeout = Duration.FromTimeSpan(timeout);
        }

        return request;
    }
}
