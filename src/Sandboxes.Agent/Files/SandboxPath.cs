using Grpc.Core;

namespace Sandboxes.Agent.Files;

/// <summary>Checks a client's path and makes it absolute: relative paths start at /root.</summary>
public static class SandboxPath
{
    public const string Home = "/root";

    /// <summary>Returns the absolute, normalised path, or throws INVALID_ARGUMENT naming <paramref name="field"/>.</summary>
    public static string Resolve(string path, string field = "path")
    {
        if (string.IsNullOrEmpty(path))
        {
            throw Invalid($"{field} is empty; give an absolute path or one relative to {Home}");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid($"{field} contains a NUL character");
        }

        // A client string that was not valid UTF-8 arrives with U+FFFD in place of the bad
        // bytes; such a path cannot name the file the client meant.
        if (path.Contains('\uFFFD', StringComparison.Ordinal))
        {
            throw Invalid($"{field} '{path}' is not valid UTF-8 (it contains U+FFFD); name files with UTF-8 paths");
        }

        return Path.GetFullPath(path, Home);
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
