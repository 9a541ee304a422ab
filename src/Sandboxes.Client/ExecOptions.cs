namespace Sandboxes.Client;

/// <summary>How to run one command. Everything is optional.</summary>
public sealed record ExecOptions
{
    /// <summary>Extra environment variables, over the sandbox's own.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary>Working directory; defaults to /root.</summary>
    public string? Cwd { get; init; }

    /// <summary>Kill the command's whole process group after this long.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes given to the command's stdin (ExecAsync only; not in a session).</summary>
    public ReadOnlyMemory<byte> Stdin { get; init; }

    /// <summary>
    /// Run in this persistent shell session ("default" always exists), where cd, export and
    /// functions last between calls. Null runs a fresh /bin/sh.
    /// </summary>
    public string? Session { get; init; }
}
