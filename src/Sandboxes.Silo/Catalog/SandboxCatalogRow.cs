using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace Sandboxes.Silo.Catalog;

/// <summary>
/// One sandbox's catalog row. Its environment's names are stored, never the values (they are
/// often keys). Each label is also a column named by a hash of its key, so a label filter runs
/// in the table query rather than in the silo.
/// </summary>
public static class SandboxCatalogRow
{
    public static TableEntity From(string scope, SandboxView view)
    {
        var entity = new TableEntity(scope, view.Name)
        {
            ["Status"] = view.Status.ToString(),
            ["Host"] = view.Host,
            ["Image"] = view.Spec.Image,
            ["Cpus"] = view.Spec.Cpus,
            ["MemoryBytes"] = view.Spec.MemoryBytes,
            ["PidsLimit"] = view.Spec.PidsLimit,
            ["EnvNames"] = JsonSerializer.Serialize(view.Spec.Env.Keys.Order(StringComparer.Ordinal).ToArray()),
            ["Labels"] = JsonSerializer.Serialize(view.Spec.Labels.ToDictionary()),
            ["SleepAfterMs"] = (long)view.SleepPolicy.SleepAfter.TotalMilliseconds,
            ["KeepAlive"] = view.SleepPolicy.KeepAlive,
            ["Created"] = view.Created,
            ["LastActive"] = view.LastActive,
        };
        foreach (var (key, value) in view.Spec.Labels)
        {
            entity[LabelColumn(key)] = value;
        }

        return entity;
    }

    public static SandboxView ToView(TableEntity row) => new()
    {
        Name = row.RowKey,
        Status = Enum.Parse<SandboxStatus>(row.GetString("Status")),
        Host = row.GetString("Host"),
        Spec = new SandboxSpec
        {
            Image = row.GetString("Image"),
            Cpus = row.GetDouble("Cpus") ?? 0,
            MemoryBytes = row.GetInt64("MemoryBytes") ?? 0,
            PidsLimit = row.GetInt32("PidsLimit") ?? 0,
            Env = (JsonSerializer.Deserialize<string[]>(row.GetString("EnvNames")) ?? []).ToImmutableDictionary(n => n, _ => "", StringComparer.Ordinal),
            Labels = (JsonSerializer.Deserialize<Dictionary<string, string>>(row.GetString("Labels")) ?? []).ToImmutableDictionary(StringComparer.Ordinal),
        },
        SleepPolicy = new SleepPolicy(TimeSpan.FromMilliseconds(row.GetInt64("SleepAfterMs") ?? 0), row.GetBoolean("KeepAlive") ?? false),
        Created = row.GetDateTimeOffset("Created") ?? default,
        LastActive = row.GetDateTimeOffset("LastActive") ?? default,
    };

    /// <summary>A column name for a label key: keys may hold any character, column names may not.</summary>
    public static string LabelColumn(string key) =>
        "L" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
}
