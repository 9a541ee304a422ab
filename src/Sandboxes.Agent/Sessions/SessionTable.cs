using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Files;
using Sandboxes.Agent.Hosting;
using Sandboxes.Agent.Processes;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Sessions;

/// <summary>The sandbox's sessions by id; "default" exists whenever it is asked for.</summary>
public sealed class SessionTable
{
    public const string DefaultId = "default";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ShellSession> _sessions = new(StringComparer.Ordinal);
    private readonly AgentState _state;
    private readonly ProcessSpawner _spawner;
    private readonly ExecEnvironment _environment;

    public SessionTable(AgentState state, ProcessSpawner spawner, ExecEnvironment environment)
    {
        _state = state;
        _spawner = spawner;
        _environment = environment;
    }

    /// <summary>Removes FIFOs an earlier agent left behind; its shells died with it.</summary>
    public void Clear()
    {
        if (Directory.Exists(_state.Sessions))
        {
            Directory.Delete(_state.Sessions, recursive: true);
        }
    }

    /// <summary>Creates a session; ALREADY_EXISTS for a taken id, and always for "default", which exists without being created.</summary>
    public ShellSession Create(CreateSessionRequest request)
    {
        if (request.Id == DefaultId)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"session '{DefaultId}' always exists: run commands in it without creating it, or create a session with another id"));
        }

        return Start(request);
    }

    private ShellSession Start(CreateSessionRequest request)
    {
        var id = ProcessIds.ValidateOrGenerate(request.Id, "session id", "s");
        ExecEnvironment.Validate(request.Env);

        var cwd = request.Cwd.Length == 0 ? SandboxPath.Home : SandboxPath.Resolve(request.Cwd, "cwd");
        if (request.Cwd.Length == 0)
        {
            Directory.CreateDirectory(cwd);
        }
        else if (!Directory.Exists(cwd))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"working directory '{cwd}' does not exist"));
        }

        lock (_lock)
        {
            if (_sessions.ContainsKey(id))
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"session '{id}' already exists"));
            }

            var environment = _environment.With(request.Env).Select(e => $"{e.Key}={e.Value}").ToList();
            var session = new ShellSession(id, Path.Combine(_state.Sessions, id), _spawner, environment, cwd);
            _sessions[id] = session;
            return session;
        }
    }

    /// <summary>The session with this id (creating "default" on first use), or NOT_FOUND.</summary>
    public ShellSession Get(string id)
    {
        ProcessIds.Validate(id, "session id");
        lock (_lock)
        {
            if (_sessions.TryGetValue(id, out var session))
            {
                return session;
            }
        }

        if (id == DefaultId)
        {
            try
            {
                return Start(new CreateSessionRequest { Id = DefaultId });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                return Get(id);
            }
        }

        throw new RpcException(new Status(StatusCode.NotFound, $"no session '{id}' in this sandbox; create it first"));
    }

    public void Delete(string id)
    {
        ProcessIds.Validate(id, "session id");
        ShellSession? session;
        lock (_lock)
        {
            _sessions.Remove(id, out session);
        }

        (session ?? throw new RpcException(new Status(StatusCode.NotFound, $"no session '{id}' in this sandbox"))).Delete();
    }

    public List<ShellSession> All()
    {
        lock (_lock)
        {
            return [.. _sessions.Values.OrderBy(s => s.CreatedAt)];
        }
    }
}
