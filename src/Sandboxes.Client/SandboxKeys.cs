using Sandboxes.Protocol;

namespace Sandboxes.Client;

/// <summary>API keys, for admin keys only (others get PERMISSION_DENIED). Reached as <see cref="SandboxClient.Keys"/>.</summary>
public sealed class SandboxKeys
{
    private readonly Keys.KeysClient _keys;

    internal SandboxKeys(Keys.KeysClient keys) => _keys = keys;

    /// <summary>Makes a key for a tenant; its secret is in the answer only.</summary>
    public async Task<CreatedKey> CreateAsync(string tenant, bool admin = false, string description = "", CancellationToken cancellationToken = default) =>
        await _keys.CreateAsync(new CreateKeyRequest { Tenant = tenant, Admin = admin, Description = description }, cancellationToken: cancellationToken);

    /// <summary>The keys (of one tenant, or all), without secrets.</summary>
    public async Task<IReadOnlyList<KeyInfo>> ListAsync(string? tenant = null, CancellationToken cancellationToken = default) =>
        (await _keys.ListAsync(new ListKeysRequest { Tenant = tenant ?? "" }, cancellationToken: cancellationToken)).Keys;

    /// <summary>Revokes a key by id (or whole key); false when there was none.</summary>
    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default) =>
        (await _keys.RevokeAsync(new RevokeKeyRequest { Id = id }, cancellationToken: cancellationToken)).Existed;
}
