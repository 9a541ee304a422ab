namespace Sandboxes.Client;

/// <summary>How to start a long-running process. Everything is optional.</summary>
public sealed record StartProcessOptions
{
    /// <summary>The process's id (1-64 of A-Z a-z 0-9 . _ -); null lets the server choose one.</summary>
    public string? Id { get; init; }

    /// <summary>Extra environment variables, over the sandbox's own.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    /// <summary>Working directory; defaults to /root.</summary>
    public string? Cwd { get; init; }

    /// <summary>Kill the process's tree after this long.</summary>
    public TimeSpan? Timeout { get; init; }
}
