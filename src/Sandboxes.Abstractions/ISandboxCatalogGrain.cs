namespace Sandboxes;

/// <summary>
/// The list of sandboxes that exist, so listing never wakes them. One instance per
/// cluster (key <see cref="Key"/>).
/// </summary>
public interface ISandboxCatalogGrain : IGrainWithStringKey
{
    const string Key = "all";

    Task RecordAsync(SandboxView view);

    Task ForgetAsync(string name);

    Task<IReadOnlyList<SandboxView>> ListAsync();
}
