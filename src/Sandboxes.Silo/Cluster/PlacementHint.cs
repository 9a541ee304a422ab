namespace Sandboxes.Silo.Cluster;

/// <summary>Passes a host hint to the placement director with the grain calls made inside (and only those).</summary>
public static class PlacementHint
{
    public static async Task<T> WithHostAsync<T>(string? host, Func<Task<T>> call)
    {
        if (string.IsNullOrEmpty(host))
        {
            return await call();
        }

        // The request context flows with this async call only: it is gone when this method returns.
        RequestContext.Set(SandboxPlacementDirector.HostHintKey, host);
        return await call();
    }
}
