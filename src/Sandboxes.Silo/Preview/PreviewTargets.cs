using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Preview;

/// <summary>
/// Token checks, cached for a few seconds: a page load makes dozens of requests, and only the
/// first asks the sandbox's grain. An unexpose or destroy on this silo clears the cache at
/// once; on another silo it takes effect within <see cref="PreviewOptions.CacheFor"/>.
/// </summary>
public sealed class PreviewTargets(IGrainFactory grains, IOptions<PreviewOptions> options, TimeProvider time)
{
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<PreviewAddress, (PreviewTarget Target, DateTimeOffset Expires)> _cache = new();

    public async ValueTask<PreviewTarget> ResolveAsync(PreviewAddress address)
    {
        var now = time.GetUtcNow();

        // A cached answer whose sandbox has since slept (its agent socket gone) is asked again, which wakes it.
        if (_cache.TryGetValue(address, out var hit) && hit.Expires > now && (hit.Target.Agent is null || File.Exists(hit.Target.Agent.SocketPath)))
        {
            return hit.Target;
        }

        var target = await grains.GetSandbox(address.Sandbox).ResolvePreviewAsync(address.Port, address.Token);
        if (_cache.Count >= MaxEntries)
        {
            _cache.Clear();
        }

        _cache[address] = (target, now + options.Value.CacheFor);
        return target;
    }

    public void Forget(SandboxKey sandbox)
    {
        foreach (var address in _cache.Keys.Where(a => a.Sandbox == sandbox))
        {
            _cache.TryRemove(address, out _);
        }
    }
}
