using Sandboxes.Silo.Sandboxes;

namespace Sandboxes.Silo.Catalog;

/// <summary>
/// Every sandbox's last known description, so listing never wakes a sandbox. A single
/// grain is enough for one host's worth of sandboxes; a sharded catalog can replace it
/// behind the same interface.
/// </summary>
public sealed class SandboxCatalogGrain(
    [PersistentState("catalog", SandboxStorage.Name)] IPersistentState<SandboxCatalog> catalog) : Grain, ISandboxCatalogGrain
{
    public async Task RecordAsync(SandboxView view)
    {
        catalog.State.Sandboxes[view.Name] = view;
        await catalog.WriteStateAsync();
    }

    public async Task ForgetAsync(string name)
    {
        if (catalog.State.Sandboxes.Remove(name))
        {
            await catalog.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<SandboxView>> ListAsync() =>
        Task.FromResult<IReadOnlyList<SandboxView>>(catalog.State.Sandboxes.Values.OrderBy(v => v.Name, StringComparer.Ordinal).ToList());
}
