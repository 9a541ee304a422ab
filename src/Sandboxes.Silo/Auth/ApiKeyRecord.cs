namespace Sandboxes.Silo.Auth;

/// <summary>What the silo stores about a key: never the secret, only its SHA-256.</summary>
public sealed record ApiKeyRecord(string Id, string Tenant, bool Admin, DateTimeOffset Created, string Description, byte[] SecretHash)
{
    public Caller Caller { get; } = new(Tenant, Admin, Id);
}
