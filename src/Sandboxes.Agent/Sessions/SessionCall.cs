using Grpc.Core;
using Sandboxes.Agent.Files;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Sessions;

/// <summary>An <see cref="ExecRequest"/> for a session, checked: a command line, the call's own variables, a directory.</summary>
public sealed record SessionCall(string Command, IReadOnlyDictionary<string, string> Env, string? WorkingDirectory, TimeSpan? Timeout)
{
    public static SessionCall Parse(ExecRequest request)
    {
        if ((request.Command.Length > 0) == (request.Argv.Count > 0))
        {
            throw Invalid("set exactly one of command (a shell command line) and argv (an argument vector)");
        }

        var command = request.Command.Length > 0 ? request.Command : string.Join(' ', request.Argv.Select(SessionScript.Quote));
        if (command.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid("command and argv must not contain NUL characters");
        }

        foreach (var (name, value) in request.Env)
        {
            if (!SessionScript.IsVariableName(name) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw Invalid($"environment variable '{name}' is invalid in a session: names are letters, digits and '_', not starting with a digit, and values have no NUL");
            }
        }

        var timeout = request.Timeout?.ToTimeSpan();
        if (timeout < TimeSpan.Zero)
        {
            throw Invalid($"timeout {timeout} is negative");
        }

        string? cwd = null;
        if (request.Cwd.Length > 0)
        {
            cwd = SandboxPath.Resolve(request.Cwd, "cwd");
            if (!Directory.Exists(cwd))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"working directory '{cwd}' does not exist"));
            }
        }

        return new SessionCall(command, request.Env, cwd, timeout == TimeSpan.Zero ? null : timeout);
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
