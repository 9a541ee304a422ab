using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Catalog;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// Each host's last report and drain flag, one row per host in Azure Table storage (a table per
/// service, beside the catalog). Every silo writes its own row and reads all of them.
/// </summary>
public sealed class HostTable
{
    private const string Partition = "hosts";
    private readonly TableClient _table;
    private readonly Lazy<Task> _created;

    public HostTable(IOptions<SandboxesOptions> options)
    {
        _table = new TableServiceClient(options.Value.StorageConnectionString).GetTableClient("hosts" + SandboxCatalogTable.TableName(options.Value.ServiceId));
        _created = new Lazy<Task>(() => _table.CreateIfNotExistsAsync());
    }

    /// <summary>Writes a host's report, leaving its drain flag as it is.</summary>
    public async Task ReportAsync(HostLoad load, CancellationToken cancellationToken)
    {
        await _created.Value;
        var row = new TableEntity(Partition, load.Name)
        {
            ["Running"] = load.Running,
            ["MaxRunning"] = load.MaxRunning,
            ["Sandboxes"] = load.Sandboxes,
            ["MemoryAvailableBytes"] = load.MemoryAvailableBytes,
            ["MemoryTotalBytes"] = load.MemoryTotalBytes,
            ["DiskAvailableBytes"] = load.DiskAvailableBytes,
            ["DiskTotalBytes"] = load.DiskTotalBytes,
            ["Updated"] = load.Updated,
        };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Sets a host's drain flag. False when no such host ever reported.</summary>
    public async Task<bool> SetDrainingAsync(string host, bool draining, CancellationToken cancellationToken)
    {
        await _created.Value;
        try
        {
            await _table.UpdateEntityAsync(new TableEntity(Partition, host) { ["Draining"] = draining }, ETag.All, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<HostLoad>> ListAsync(CancellationToken cancellationToken)
    {
        await _created.Value;
        var loads = new List<HostLoad>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: cancellationToken))
        {
            loads.Add(new HostLoad
            {
                Name = row.RowKey,
                Running = row.GetInt32("Running") ?? 0,
                MaxRunning = row.GetInt32("MaxRunning") ?? 0,
                Sandboxes = row.GetInt32("Sandboxes") ?? 0,
                MemoryAvailableBytes = row.GetInt64("MemoryAvailableBytes") ?? 0,
                MemoryTotalBytes = row.GetInt64("MemoryTotalBytes") ?? 0,
                DiskAvailableBytes = row.GetInt64("DiskAvailableBytes") ?? 0,
                DiskTotalBytes = row.GetInt64("DiskTotalBytes") ?? 0,
                Draining = row.GetBoolean("Draining") ?? false,
                Updated = row.GetDateTimeOffset("Updated") ?? default,
            });
        }

        return loads;
    }
}
