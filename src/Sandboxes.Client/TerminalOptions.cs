namespace Sandboxes.Client;

/// <summary>How to open a terminal. Every field is optional.</summary>
public sealed record TerminalOptions
{
    /// <summary>1 to 64 of A-Z a-z 0-9 . _ -, so others can attach; null lets the sandbox choose.</summary>
    public string? Id { get; init; }

    public uint Cols { get; init; } = 80;

    public uint Rows { get; init; } = 24;

    /// <summary>Null means /bin/bash, or /bin/sh when the image has no bash.</summary>
    public string? Shell { get; init; }

    public string? Cwd { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }
}
