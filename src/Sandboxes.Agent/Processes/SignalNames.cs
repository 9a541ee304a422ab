using Grpc.Core;

namespace Sandboxes.Agent.Processes;

/// <summary>Signal names a caller may use, with or without the SIG prefix.</summary>
public static class SignalNames
{
    public const int Term = 15;
    public const int Kill = 9;

    private static readonly Dictionary<string, int> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1,
        ["INT"] = 2,
        ["QUIT"] = 3,
        ["KILL"] = Kill,
        ["USR1"] = 10,
        ["USR2"] = 12,
        ["TERM"] = Term,
        ["CONT"] = 18,
        ["STOP"] = 19,
    };

    /// <summary>The signal number; TERM for an empty name; INVALID_ARGUMENT for an unknown one.</summary>
    public static int Parse(string name)
    {
        if (name.Length == 0)
        {
            return Term;
        }

        var bare = name.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? name[3..] : name;
        return Known.TryGetValue(bare, out var signal)
            ? signal
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"unknown signal '{name}'; use one of {string.Join(", ", Known.Keys)}"));
    }
}
