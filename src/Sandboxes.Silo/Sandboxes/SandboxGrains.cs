namespace Sandboxes.Silo.Sandboxes;

/// <summary>Reaching sandboxes' grains by name, for the APIs and the console.</summary>
public static class SandboxGrains
{
    /// <summary>The sandbox's grain; INVALID_ARGUMENT with the naming rule for a bad name.</summary>
    public static ISandboxGrain GetSandbox(this IGrainFactory grains, string name) =>
        SandboxName.IsValid(name)
            ? grains.GetGrain<ISandboxGrain>(name)
            : throw new SandboxException(SandboxError.InvalidArgument, SandboxName.Explain(name));

    /// <summary>
    /// Every known sandbox carrying all <paramref name="labels"/>. Running sandboxes have
    /// active grains, so asking them is cheap and fresher than the catalog.
    /// </summary>
    public static async Task<IReadOnlyList<SandboxView>> ListSandboxesAsync(this IGrainFactory grains, IReadOnlyDictionary<string, string> labels)
    {
        var known = await grains.GetGrain<ISandboxCatalogGrain>(ISandboxCatalogGrain.Key).ListAsync();
        var matching = known.Where(v => labels.All(l => v.Spec.Labels.TryGetValue(l.Key, out var value) && value == l.Value));
        return await Task.WhenAll(matching.Select(async v =>
            v.Status == SandboxStatus.Running ? await grains.GetGrain<ISandboxGrain>(v.Name).DescribeAsync() ?? v : v));
    }
}
