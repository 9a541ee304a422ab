using System.Collections.Concurrent;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// The egress proxy's own record of what it refused: per sandbox, the last refusal of each
/// host, with the proxy's reason. A failed git clone asks it whether its host was refused
/// since the clone began, so PERMISSION_DENIED comes from the proxy's word, not from git's
/// wording of a 403 (which differs by protocol and version: "CONNECT tunnel failed,
/// response 403", "Received HTTP code 403 from proxy", ...).
/// </summary>
public sealed class EgressRefusals
{
    // A sandbox that tries many hosts keeps only its most recent ones; a clone asks about
    // one host within seconds of the refusal.
    private const int HostsPerSandbox = 32;

    private readonly ConcurrentDictionary<string, Dictionary<string, Refusal>> _sandboxes = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>A point in the record; refusals recorded later are "since" it.</summary>
    public long Mark() => Interlocked.Read(ref _sequence);

    public void Record(string sandbox, string host, int port, string reason)
    {
        var refusal = new Refusal(Interlocked.Increment(ref _sequence), port, reason);
        var hosts = _sandboxes.GetOrAdd(sandbox, _ => new Dictionary<string, Refusal>(StringComparer.Ordinal));
        lock (hosts)
        {
            hosts[Normal(host)] = refusal;
            if (hosts.Count > HostsPerSandbox)
            {
                hosts.Remove(hosts.MinBy(h => h.Value.Sequence).Key);
            }
        }
    }

    /// <summary>The proxy's reason when it refused <paramref name="host"/> to this sandbox after <paramref name="mark"/>; null when it did not.</summary>
    public string? RefusedSince(string sandbox, string host, long mark)
    {
        if (!_sandboxes.TryGetValue(sandbox, out var hosts))
        {
            return null;
        }

        lock (hosts)
        {
            return hosts.TryGetValue(Normal(host), out var refusal) && refusal.Sequence > mark
                ? $"{host}:{refusal.Port}: {refusal.Reason}"
                : null;
        }
    }

    /// <summary>Drops a sandbox's record when its egress closes.</summary>
    public void Forget(string sandbox) => _sandboxes.TryRemove(sandbox, out _);

    // "[::1]" and "::1", "Example.COM." and "example.com" name the same host.
    private static string Normal(string host) => host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    private readonly record struct Refusal(long Sequence, int Port, string Reason);
}
