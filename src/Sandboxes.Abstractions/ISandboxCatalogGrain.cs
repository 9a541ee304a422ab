namespace Sandboxes;

/// <summary>
/// The list of sandboxes that exist, so listing never wakes them: one table row per sandbox,
/// in a partition per tenant (the scope). A stateless worker:
/// every silo reaches the table itself.
/// </summary>
public interface ISandboxCatalogGrain : IGrainWithStringKey
{
    const string Key = "all";

    /// <summary>The largest page <see cref="ListAsync"/> returns.</summary>
    const int MaxPageSize = 1000;

    /// <summary>Writes the sandbox's row; its environment's names are kept, never its values.</summary>
    Task RecordAsync(string scope, SandboxView view);

    Task ForgetAsync(string scope, string name);

    /// <summary>
    /// One page of the scope's sandboxes carrying every label in <paramref name="labels"/>, in
    /// name order, from <paramref name="pageToken"/> (null for the first page).
    /// </summary>
    Task<SandboxPage> ListAsync(string scope, IReadOnlyDictionary<string, string> labels, int pageSize, string? pageToken);
}
