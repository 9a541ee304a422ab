using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Sandboxes;

/// <summary>
/// A sandbox's identity: its tenant and its name. Names are per tenant, so two tenants can
/// both have <c>my-box</c>; everything that belongs to one sandbox (its grain, its container,
/// its host folders, its preview host names) is named from this, never from the name alone.
/// </summary>
public sealed record SandboxKey
{
    /// <summary>The tenant of the bootstrap admin key, and of every call when authentication is off.</summary>
    public const string DefaultTenant = "default";

    /// <summary>The longest local name, so that socket paths under the host folders stay within the kernel's 108 bytes.</summary>
    private const int MaxLocalNameLength = 63;

    public SandboxKey(string tenant, string name)
    {
        if (!TenantName.IsValid(tenant))
        {
            throw new SandboxException(SandboxError.InvalidArgument, TenantName.Explain(tenant));
        }

        if (!SandboxName.IsValid(name))
        {
            throw new SandboxException(SandboxError.InvalidArgument, SandboxName.Explain(name));
        }

        Tenant = tenant;
        Name = name;
        GrainKey = tenant == DefaultTenant ? name : $"{tenant}/{name}";
        LocalName = LocalNameOf(tenant, name);
    }

    public string Tenant { get; }

    public string Name { get; }

    /// <summary>
    /// The grain's key: <c>tenant/name</c>, or the bare name in the default tenant, which is how
    /// every sandbox was keyed before tenants existed, so their state is still found. A '/' is
    /// in neither a tenant nor a name, so no two sandboxes share a key.
    /// </summary>
    public string GrainKey { get; }

    /// <summary>
    /// The name of its container and host folders on its host: the bare name in the default
    /// tenant, else <c>tenant.name</c>, or <c>tenant_DIGEST</c> when that would be longer than 63
    /// characters. Neither '.' nor '_' is in a name, so no two sandboxes share one.
    /// </summary>
    public string LocalName { get; }

    /// <summary>Reads a grain key back; false for anything <see cref="GrainKey"/> never makes.</summary>
    public static bool TryParseGrainKey(string grainKey, [NotNullWhen(true)] out SandboxKey? key)
    {
        key = null;
        var slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        var (tenant, name) = slash < 0 ? (DefaultTenant, grainKey) : (grainKey[..slash], grainKey[(slash + 1)..]);
        if (!TenantName.IsValid(tenant) || !SandboxName.IsValid(name) || (slash >= 0 && tenant == DefaultTenant))
        {
            return false;
        }

        key = new SandboxKey(tenant, name);
        return true;
    }

    public override string ToString() => GrainKey;

    private static string LocalNameOf(string tenant, string name)
    {
        if (tenant == DefaultTenant)
        {
            return name;
        }

        var dotted = $"{tenant}.{name}";
        if (dotted.Length <= MaxLocalNameLength)
        {
            return dotted;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        return $"{tenant}_{Convert.ToHexStringLower(digest)[..20]}";
    }
}
