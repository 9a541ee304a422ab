using Grpc.Core;

namespace Sandboxes.Agent.Processes;

/// <summary>The rule for process and session ids, and generated ids that follow it.</summary>
public static class ProcessIds
{
    public const int MaxLength = 64;

    /// <summary>Returns <paramref name="id"/> when valid, a fresh id when empty; else INVALID_ARGUMENT.</summary>
    public static string ValidateOrGenerate(string id, string what, string prefix) =>
        id.Length == 0 ? Generate(prefix) : Validate(id, what);

    public static string Validate(string id, string what)
    {
        // The id names a folder on disk, so '.' and '..' alone are refused too.
        if (id.Length is 0 or > MaxLength || id is "." or ".." || !id.All(IsAllowed))
        {
            throw new RpcException(new Status(
                StatusCode.InvalidArgument,
                $"{what} '{id}' is invalid: use 1 to {MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'"));
        }

        return id;
    }

    // Not System.Security.Cryptography: it loads libssl, which most images lack. Ids only
    // need to be unlikely to collide, not unguessable.
    private static string Generate(string prefix) => $"{prefix}-{Random.Shared.GetHexString(10, lowercase: true)}";

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
