namespace Sandboxes.Silo.Sandboxes;

public static class SandboxStorage
{
    /// <summary>Name of the grain storage provider holding sandbox records and the catalog.</summary>
    public const string Name = "sandboxes";
}
