using Grpc.Core;
using Sandboxes.Agent.Files;
using Sandboxes.Protocol;

namespace Sandboxes.Agent.Exec;

/// <summary>
/// Finds argv[0] the way execvp does, but in the PATH the command will run with (the
/// request may change PATH), so a missing command is reported before anything starts.
/// </summary>
public static class CommandLookup
{
    /// <summary>Returns the file to execute, or throws NOT_FOUND / PERMISSION_DENIED.</summary>
    public static string Resolve(string command, string path, string workingDirectory)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            var candidate = Path.GetFullPath(command, workingDirectory);
            return Check(candidate) switch
            {
                Lookup.Executable => candidate,
                Lookup.NotExecutable => throw Denied(command),
                _ => throw new RpcException(new Status(StatusCode.NotFound, $"command '{command}' not found")),
            };
        }

        var sawNotExecutable = false;
        foreach (var directory in path.Split(':'))
        {
            // An empty PATH entry means the current directory, as in execvp.
            var candidate = Path.GetFullPath(Path.Combine(directory.Length == 0 ? "." : directory, command), workingDirectory);
            switch (Check(candidate))
            {
                case Lookup.Executable:
                    return candidate;
                case Lookup.NotExecutable:
                    sawNotExecutable = true;
                    break;
                default:
                    break;
            }
        }

        if (sawNotExecutable)
        {
            throw Denied(command);
        }

        throw new RpcException(new Status(StatusCode.NotFound, $"command '{command}' not found in PATH ({path})"));
    }

    private static Lookup Check(string candidate)
    {
        if (!FileStatus.TryGet(candidate, follow: true, out var status, out _) || status.Type == FileType.Directory)
        {
            return Lookup.Missing;
        }

        // Root may execute a file when any execute bit is set.
        return (status.Mode & 0b001_001_001) != 0 && status.Type == FileType.File ? Lookup.Executable : Lookup.NotExecutable;
    }

    private static RpcException Denied(string command) =>
        new(new Status(StatusCode.PermissionDenied, $"command '{command}' is not executable (no execute permission)"));

    private enum Lookup
    {
        Missing,
        Executable,
        NotExecutable,
    }
}
