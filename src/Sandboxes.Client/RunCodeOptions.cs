using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>Where and how long code runs. Every field is optional.</summary>
public sealed record RunCodeOptions
{
    /// <summary>The context to run in; null means the sandbox's default context for <see cref="Language"/>.</summary>
    public string? ContextId { get; init; }

    /// <summary>Used only without a context id; Python unless set.</summary>
    public CodeLanguage Language { get; init; } = CodeLanguage.Unspecified;

    /// <summary>After this the execution is interrupted (the context keeps its state); null means 5 minutes.</summary>
    public TimeSpan? Timeout { get; init; }
}
