using System.Collections.Concurrent;
using Grpc.Core;
using Sandboxes.Agent.Exec;
using Sandboxes.Agent.Files;
using Sandboxes.Agent.Processes;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Terminals;

/// <summary>The running terminals of this sandbox, by id.</summary>
public sealed class TerminalTable(ProcessSpawner spawner, ExecEnvironment environment)
{
    private readonly ConcurrentDictionary<string, Terminal> _terminals = new(StringComparer.Ordinal);

    public Terminal Open(OpenTerminal request)
    {
        var id = ProcessIds.ValidateOrGenerate(request.Id, "terminal id", "t-");
        var variables = environment.With(request.Env);
        variables.TryAdd("TERM", "xterm-256color");
        var shell = request.Shell.Length > 0 ? request.Shell : File.Exists("/bin/bash") ? "/bin/bash" : "/bin/sh";
        var resolved = CommandLookup.Resolve(shell, variables["PATH"], "/");
        var cwd = request.Cwd.Length > 0 ? SandboxPath.Resolve(request.Cwd, "cwd") : SandboxPath.Home;
        if (!Directory.Exists(cwd))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"working directory '{cwd}' does not exist"));
        }

        lock (_terminals)
        {
            if (_terminals.ContainsKey(id))
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"terminal '{id}' is already running; attach to it or choose another id"));
            }

            var terminal = Terminal.Open(id, spawner, resolved, [.. variables.Select(v => $"{v.Key}={v.Value}")], cwd, request.Cols, request.Rows, ended => _terminals.TryRemove(ended.Id, out _));
            _terminals[id] = terminal;
            return terminal;
        }
    }

    public Terminal Get(string id) =>
        _terminals.TryGetValue(id, out var terminal)
            ? terminal
            : throw new RpcException(new Status(StatusCode.NotFound, $"no terminal '{id}' is running in this sandbox"));

    public IEnumerable<Terminal> All => _terminals.Values.OrderBy(t => t.StartedAt);
}
