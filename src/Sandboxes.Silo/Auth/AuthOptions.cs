namespace Sandboxes.Silo.Auth;

/// <summary>API keys on the silo's ports, bound from the "Auth" section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// When false, every call is taken as the admin of tenant "default" with no key. Only
    /// allowed while both ports listen on loopback; the silo refuses to start otherwise.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long a silo trusts what it read about a key before reading it again. This is how
    /// long a revoked key keeps working on the other silos (the revoking silo forgets it at once).
    /// </summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Mint a new bootstrap admin key at start and write it to DataRoot/admin.key, even though
    /// other admin keys exist: the way back in when every admin key is lost.
    /// </summary>
    public bool RenewAdminKey { get; set; }
}
