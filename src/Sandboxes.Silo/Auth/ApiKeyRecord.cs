namespace Sandboxes.Silo.Auth;

/// <summary>What the silo stores about a key: never the secret, only its SHA-256.</summary>
public sealed record ApiKeyRecord(string Id, string Tenant, bool Admin, DateTimeOffset Created, string Description, byte[] SecretHash)
{
    /// <summary>
    /// Who the key stands for. An admin key acts as admin only in the default tenant, the
    /// operator's: an admin key of another tenant (which early builds could make) is a plain key.
    /// </summary>
    public Caller Caller { get; } = new(Tenant, Admin && Tenant == SandboxKey.DefaultTenant, Id);

    /// <summary>A key whose tenant breaks today's naming rule (stored before it) names no tenant a call could act for.</summary>
    public bool Usable => TenantName.IsValid(Tenant);
}
