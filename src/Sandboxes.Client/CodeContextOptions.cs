using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>How to create a code context. Every field is optional.</summary>
public sealed record CodeContextOptions
{
    /// <summary>Python unless set.</summary>
    public CodeLanguage Language { get; init; } = CodeLanguage.Python;

    /// <summary>The interpreter's working directory; null means /workspace.</summary>
    public string? Cwd { get; init; }

    /// <summary>Environment variables of the interpreter, over the sandbox's own.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }
}
