using Orleans.Concurrency;

namespace Sandboxes.Silo.Catalog;

/// <summary>
/// Reaches the catalog table from any silo. It keeps nothing itself: each sandbox's row is
/// written by its own grain, so no record grows with the number of sandboxes.
/// </summary>
[StatelessWorker]
public sealed class SandboxCatalogGrain(SandboxCatalogTable table) : Grain, ISandboxCatalogGrain
{
    public Task RecordAsync(string scope, SandboxView view) => table.UpsertAsync(scope, view);

    public Task ForgetAsync(string scope, string name) => table.DeleteAsync(scope, name);

    public Task<SandboxPage> ListAsync(string scope, IReadOnlyDictionary<string, string> labels, int pageSize, string? pageToken) =>
        table.ListAsync(scope, labels, pageSize, pageToken);
}
