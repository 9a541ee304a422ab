using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// Checks presented keys without a storage round trip per call: what the table says about a
/// key id (or that it has none) is trusted for Auth:CacheFor. Past half that age a call still
/// uses the entry but refreshes it in the background, so a busy key never waits on storage;
/// past the whole age the call waits for a fresh read. A revocation therefore reaches every
/// silo within Auth:CacheFor. The secret's SHA-256 is compared in constant time.
/// </summary>
public sealed class ApiKeyVerifier(ApiKeyStore store, IOptions<AuthOptions> options, TimeProvider time)
{
    // Unknown ids are remembered too, so a flood of made-up keys does not become a flood of
    // storage reads; the bound keeps that memory small.
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<ApiKeyRecord?>>> _reads = new(StringComparer.Ordinal);
    private readonly TimeSpan _cacheFor = options.Value.CacheFor;

    /// <summary>The caller the key stands for, or null for a malformed, unknown or revoked key.</summary>
    public async ValueTask<Caller?> VerifyAsync(string? presented)
    {
        if (presented is null || !ApiKey.TryParse(presented, out var key))
        {
            return null;
        }

        var record = await FindAsync(key.Id);
        if (record is null)
        {
            return null;
        }

        Span<byte> secret = stackalloc byte[ApiKey.SecretLength];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Encoding.ASCII.GetBytes(key.Secret, secret);
        SHA256.HashData(secret, hash);
        return CryptographicOperations.FixedTimeEquals(hash, record.SecretHash) && record.Usable ? record.Caller : null;
    }

    /// <summary>Forgets a key at once on this silo (after a revocation here).</summary>
    public void Forget(string id) => _cache.TryRemove(id, out _);

    private async ValueTask<ApiKeyRecord?> FindAsync(string id)
    {
        if (_cache.TryGetValue(id, out var cached))
        {
            var age = time.GetElapsedTime(cached.ReadAt);
            if (age < _cacheFor)
            {
                if (age > _cacheFor / 2)
                {
                    // A failed refresh is retried by the next call; the entry stays until it expires.
                    _ = ReadAsync(id).ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }

                return cached.Record;
            }
        }

        return await ReadAsync(id);
    }

    /// <summary>One storage read per id at a time, shared by every call that waits for it.</summary>
    private Task<ApiKeyRecord?> ReadAsync(string id) =>
        _reads.GetOrAdd(id, static (key, self) => new Lazy<Task<ApiKeyRecord?>>(() => self.LoadAsync(key)), this).Value;

    private async Task<ApiKeyRecord?> LoadAsync(string id)
    {
        try
        {
            var record = await store.FindAsync(id, CancellationToken.None);
            Remember(id, record);
            return record;
        }
        finally
        {
            _reads.TryRemove(id, out _);
        }
    }

    private void Remember(string id, ApiKeyRecord? record)
    {
        if (_cache.Count >= MaxEntries)
        {
            foreach (var (staleId, stale) in _cache)
            {
                if (stale.Record is null || time.GetElapsedTime(stale.ReadAt) >= _cacheFor)
                {
                    _cache.TryRemove(staleId, out _);
                }
            }
        }

        _cache[id] = new CachedKey(record, time.GetTimestamp());
    }

    private sealed record CachedKey(ApiKeyRecord? Record, long ReadAt);
}
