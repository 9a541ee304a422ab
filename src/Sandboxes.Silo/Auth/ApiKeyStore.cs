using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Auth;

/// <summary>
/// Keys in Azure Table storage: one table for every cluster, one partition per ServiceId
/// (so test clusters never see each other's keys), one row per key id.
/// </summary>
public sealed class ApiKeyStore(IOptions<SandboxesOptions> options)
{
    public const string TableName = "sandboxkeys";

    private readonly TableClient _table = new TableServiceClient(options.Value.StorageConnectionString).GetTableClient(TableName);
    private readonly string _partition = options.Value.ServiceId;

    public async Task EnsureTableAsync(CancellationToken cancellationToken) => await _table.CreateIfNotExistsAsync(cancellationToken);

    public async Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var found = await _table.GetEntityIfExistsAsync<TableEntity>(_partition, id, cancellationToken: cancellationToken);
        return found.HasValue ? ToRecord(found.Value!) : null;
    }

    /// <summary>Makes and stores a new key; the whole key is returned here and nowhere else.</summary>
    public async Task<(ApiKey Key, ApiKeyRecord Record)> CreateAsync(string tenant, bool admin, string description, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = ApiKey.New();
        var record = new ApiKeyRecord(key.Id, tenant, admin, time.GetUtcNow(), description, key.SecretHash());
        await _table.AddEntityAsync(new TableEntity(_partition, key.Id)
        {
            ["Tenant"] = record.Tenant,
            ["Admin"] = record.Admin,
            ["Created"] = record.Created,
            ["Description"] = record.Description,
            ["SecretHash"] = record.SecretHash,
        }, cancellationToken);
        return (key, record);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var records = new List<ApiKeyRecord>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {_partition}"), cancellationToken: cancellationToken))
        {
            records.Add(ToRecord(entity));
        }

        return [.. records.OrderBy(r => r.Created)];
    }

    /// <summary>Deletes the key's row; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.DeleteEntityAsync(_partition, id, ETag.All, cancellationToken);
            return response.Status != StatusCodes.Status404NotFound;
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return false;
        }
    }

    private static ApiKeyRecord ToRecord(TableEntity entity) => new(
        entity.RowKey,
        entity.GetString("Tenant") ?? "",
        entity.GetBoolean("Admin") ?? false,
        entity.GetDateTimeOffset("Created") ?? DateTimeOffset.MinValue,
        entity.GetString("Description") ?? "",
        entity.GetBinary("SecretHash") ?? []);
}
