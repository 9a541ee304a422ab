namespace Sandboxes.Client;

/// <summary>How to clone. Every field is optional.</summary>
public sealed record GitCheckoutOptions
{
    /// <summary>Branch or tag; null means the remote's default branch.</summary>
    public string? Branch { get; init; }

    /// <summary>Absolute, or relative to /workspace; null means /workspace/&lt;repository name&gt;.</summary>
    public string? TargetDir { get; init; }

    /// <summary>Clone only this many commits; null means the whole history.</summary>
    public int? Depth { get; init; }

    /// <summary>Give up after this long; null means the server's default (10 minutes).</summary>
    public TimeSpan? Timeout { get; init; }
}
