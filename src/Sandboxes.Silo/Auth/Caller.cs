namespace Sandboxes.Silo.Auth;

/// <summary>
/// Who made a call: the tenant its API key acts for, whether the key is an admin key, and
/// the key's id (safe to log). Every API reads it with <see cref="CallerExtensions"/>.
/// </summary>
public sealed record Caller(string Tenant, bool IsAdmin, string KeyId)
{
    /// <summary>Every call when Auth:Enabled is false (loopback only): the operator, in the default tenant.</summary>
    public static Caller Unauthenticated { get; } = new(SandboxKey.DefaultTenant, IsAdmin: true, KeyId: "");

    /// <summary>
    /// The caller's sandbox of that name: names are per tenant, so this is the one way from a
    /// name in a request to a sandbox, and a call can reach only its own tenant's sandboxes.
    /// </summary>
    public SandboxKey Sandbox(string name) => new(Tenant, name);
}
