namespace Sandboxes.Silo.Sandboxes;

/// <summary>Reaching sandboxes' grains by name, for the APIs and the console.</summary>
public static class SandboxGrains
{
    /// <summary>How many sandboxes a page holds when the caller does not say.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The sandbox's grain, keyed by its tenant and name.</summary>
    public static ISandboxGrain GetSandbox(this IGrainFactory grains, SandboxKey sandbox) => grains.GetGrain<ISandboxGrain>(sandbox.GrainKey);

    /// <summary>The catalog: one partition per tenant.</summary>
    public static ISandboxCatalogGrain GetCatalog(this IGrainFactory grains) => grains.GetGrain<ISandboxCatalogGrain>(ISandboxCatalogGrain.Key);

    /// <summary>
    /// One page of the tenant's sandboxes carrying all <paramref name="labels"/>. Running sandboxes
    /// have active grains, so asking them is cheap and fresher than the catalog.
    /// </summary>
    public static async Task<SandboxPage> ListSandboxesAsync(this IGrainFactory grains, string tenant, IReadOnlyDictionary<string, string> labels, int pageSize, string? pageToken)
    {
        if (pageSize is < 0 or > ISandboxCatalogGrain.MaxPageSize)
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"page_size must be between 1 and {ISandboxCatalogGrain.MaxPageSize} (0 means {DefaultPageSize}), not {pageSize}");
        }

        var page = await grains.GetCatalog().ListAsync(tenant, labels, pageSize == 0 ? DefaultPageSize : pageSize, pageToken);
        var fresh = await Task.WhenAll(page.Sandboxes.Select(async v => v.Status == SandboxStatus.Running ? await FreshAsync(grains, tenant, v) : v));
        return page with { Sandboxes = [.. fresh] };
    }

    /// <summary>
    /// A running sandbox as its grain sees it now, or as the catalog last saw it when the grain
    /// cannot say soon (its host is down): a listing must not fail for one host.
    /// </summary>
    private static async Task<SandboxView> FreshAsync(IGrainFactory grains, string tenant, SandboxView catalogued)
    {
        try
        {
            return await grains.GetSandbox(new SandboxKey(tenant, catalogued.Name)).DescribeAsync().WaitAsync(TimeSpan.FromSeconds(2)) ?? catalogued;
        }
        catch (Exception e) when (e is SandboxException or TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
        {
            return catalogued;
        }
    }

    /// <summary>Every sandbox of the tenant carrying all <paramref name="labels"/>, page after page.</summary>
    public static async Task<IReadOnlyList<SandboxView>> ListSandboxesAsync(this IGrainFactory grains, string tenant, IReadOnlyDictionary<string, string> labels)
    {
        var all = new List<SandboxView>();
        string? token = null;
        do
        {
            var page = await grains.ListSandboxesAsync(tenant, labels, ISandboxCatalogGrain.MaxPageSize, token);
            all.AddRange(page.Sandboxes);
            token = page.NextPageToken;
        }
        while (token is not null);

        return all;
    }
}
