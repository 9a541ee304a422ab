namespace Sandboxes.Silo.Containers;

/// <summary>Labels every sandbox container carries, so it can be found again and orphans reaped.</summary>
public static class ContainerLabels
{
    /// <summary>Which deployment (or test run) created the container.</summary>
    public const string Owner = "sandboxes.owner";

    /// <summary>The sandbox's name, within its tenant.</summary>
    public const string Sandbox = "sandboxes.sandbox";

    /// <summary>The sandbox's tenant; containers made before tenants existed lack it and are the default tenant's.</summary>
    public const string Tenant = "sandboxes.tenant";

    /// <summary>The sandbox a container's labels name, or null when they name no valid one.</summary>
    public static SandboxKey? SandboxOf(IDictionary<string, string>? labels)
    {
        if (labels is null || !labels.TryGetValue(Sandbox, out var name) || !SandboxName.IsValid(name))
        {
            return null;
        }

        var tenant = labels.TryGetValue(Tenant, out var t) ? t : SandboxKey.DefaultTenant;
        return TenantName.IsValid(tenant) ? new SandboxKey(tenant, name) : null;
    }
}
