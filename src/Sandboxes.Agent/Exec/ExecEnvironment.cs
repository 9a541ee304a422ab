using System.Collections;
using Grpc.Core;

namespace Sandboxes.Agent.Exec;

/// <summary>
/// The environment every command starts from: the container's own (set by the silo from
/// the sandbox's options), with PATH and HOME filled in when the image leaves them out.
/// </summary>
public sealed class ExecEnvironment
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly Dictionary<string, string> _base;

    public ExecEnvironment()
        : this(Snapshot())
    {
    }

    public ExecEnvironment(IDictionary<string, string> variables)
    {
        _base = new Dictionary<string, string>(variables, StringComparer.Ordinal);
        if (!_base.TryGetValue("PATH", out var path) || path.Length == 0)
        {
            _base["PATH"] = DefaultPath;
        }

        if (!_base.TryGetValue("HOME", out var home) || home.Length == 0)
        {
            _base["HOME"] = "/root";
        }
    }

    /// <summary>INVALID_ARGUMENT unless every name is non-empty without '=' or NUL, and every value without NUL.</summary>
    public static void Validate(IEnumerable<KeyValuePair<string, string>> variables)
    {
        foreach (var (name, value) in variables)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"environment variable name '{name}' is invalid: it must be non-empty and contain no '=' or NUL"));
            }

            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"environment variable '{name}' contains a NUL character"));
            }
        }
    }

    /// <summary>The base overlaid with the request's variables.</summary>
    public Dictionary<string, string> With(IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var merged = new Dictionary<string, string>(_base, StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            merged[name] = value;
        }

        return merged;
    }

    private static Dictionary<string, string> Snapshot()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string ?? "";
        }

        return variables;
    }
}
