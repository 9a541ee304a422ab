namespace Sandboxes;

[GenerateSerializer, Alias("sandboxes.SandboxStatus")]
public enum SandboxStatus
{
    /// <summary>The container runs and its agent answers.</summary>
    Running = 1,

    /// <summary>The container is stopped for idleness; its disk is kept.</summary>
    Sleeping = 2,
}
