namespace Sandboxes.Silo.Auth;

/// <summary>
/// Who made a call: the tenant its API key acts for, whether the key is an admin key, and
/// the key's id (safe to log). Every API reads it with <see cref="CallerExtensions"/>.
/// </summary>
public sealed record Caller(string Tenant, bool IsAdmin, string KeyId)
{
    /// <summary>The tenant of the bootstrap admin key, and of every call when Auth:Enabled is false.</summary>
    public const string DefaultTenant = "default";

    /// <summary>Every call when Auth:Enabled is false (loopback only).</summary>
    public static Caller Unauthenticated { get; } = new(DefaultTenant, IsAdmin: true, KeyId: "");
}
