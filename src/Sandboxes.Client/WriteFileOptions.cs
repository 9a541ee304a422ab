namespace Sandboxes.Client;

public sealed record WriteFileOptions
{
    /// <summary>Permission bits of a new file; null means 0644.</summary>
    public int? Mode { get; init; }

    /// <summary>Create missing parent directories (on by default).</summary>
    public bool MakeParents { get; init; } = true;
}
