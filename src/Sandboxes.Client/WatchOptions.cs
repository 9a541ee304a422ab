namespace Sandboxes.Client;

/// <summary>What a watch reports. Globs are relative to the watched path; .git and node_modules are always excluded.</summary>
public sealed record WatchOptions
{
    /// <summary>Also watch subdirectories, including new ones (default true).</summary>
    public bool Recursive { get; init; } = true;

    /// <summary>Only paths matching one of these globs ('*' within a segment, '**' across); empty means all.</summary>
    public IReadOnlyList<string>? Include { get; init; }

    /// <summary>Never report or descend into paths matching these globs.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }
}
