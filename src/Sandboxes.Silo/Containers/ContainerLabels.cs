namespace Sandboxes.Silo.Containers;

/// <summary>Labels every sandbox container carries, so it can be found again and orphans reaped.</summary>
public static class ContainerLabels
{
    /// <summary>Which deployment (or test run) created the container.</summary>
    public const string Owner = "sandboxes.owner";

    /// <summary>The sandbox name the container belongs to.</summary>
    public const string Sandbox = "sandboxes.sandbox";
}
