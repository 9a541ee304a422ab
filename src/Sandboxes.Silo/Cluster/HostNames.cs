using System.Diagnostics.CodeAnalysis;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// The rule for a host's name: a lowercase DNS label of at most 32 characters, as a tenant's,
/// since it appears in listings, logs and `sbx create --host` and is compared as written.
/// </summary>
public static class HostNames
{
    public static bool IsValid([NotNullWhen(true)] string? name) => TenantName.IsValid(name);
}
