using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Catalog;

/// <summary>
/// The catalog in Azure Table storage: a table per service (clusters with different ServiceIds
/// never see each other's sandboxes), PartitionKey = scope, RowKey = sandbox name. Listing is a
/// query with server-side label filters and continuation-token paging.
/// </summary>
public sealed class SandboxCatalogTable
{
    private readonly TableClient _table;
    private readonly Lazy<Task> _created;

    public SandboxCatalogTable(IOptions<SandboxesOptions> options)
    {
        _table = new TableServiceClient(options.Value.StorageConnectionString).GetTableClient(TableName(options.Value.ServiceId));
        _created = new Lazy<Task>(() => _table.CreateIfNotExistsAsync());
    }

    /// <summary>"sandboxes" plus the service id's letters and digits plus a hash of it, so different ids never share a table.</summary>
    public static string TableName(string serviceId)
    {
        var letters = new string(serviceId.Where(char.IsAsciiLetterOrDigit).Take(40).ToArray());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(serviceId)))[..8];
        return $"sandboxes{letters}{hash}";
    }

    public async Task UpsertAsync(string scope, SandboxView view)
    {
        await _created.Value;
        await _table.UpsertEntityAsync(SandboxCatalogRow.From(scope, view), TableUpdateMode.Replace);
    }

    /// <summary>
    /// Whether the sandbox is catalogued, and on which host (null in rows written before
    /// sandboxes recorded their host, which a one-host cluster wrote).
    /// </summary>
    public async Task<(bool Exists, string? Host)> FindHostAsync(string scope, string name, CancellationToken cancellationToken = default)
    {
        await _created.Value;
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(scope, name, ["Host"], cancellationToken);
        return row.HasValue ? (true, row.Value!.GetString("Host")) : (false, null);
    }

    public async Task DeleteAsync(string scope, string name)
    {
        await _created.Value;
        await _table.DeleteEntityAsync(scope, name);
    }

    public async Task<SandboxPage> ListAsync(string scope, IReadOnlyDictionary<string, string> labels, int pageSize, string? pageToken)
    {
        await _created.Value;
        var filter = new StringBuilder(TableClient.CreateQueryFilter($"PartitionKey eq {scope}"));
        foreach (var (key, value) in labels)
        {
            filter.Append(" and ").Append(SandboxCatalogRow.LabelColumn(key)).Append(" eq ").Append(TableClient.CreateQueryFilter($"{value}"));
        }

        var pages = _table.QueryAsync<TableEntity>(filter.ToString(), maxPerPage: pageSize).AsPages(string.IsNullOrEmpty(pageToken) ? null : pageToken, pageSize);
        await foreach (var page in pages)
        {
            return new SandboxPage
            {
                Sandboxes = [.. page.Values.Select(SandboxCatalogRow.ToView)],
                NextPageToken = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken,
            };
        }

        return new SandboxPage { Sandboxes = [] };
    }
}
