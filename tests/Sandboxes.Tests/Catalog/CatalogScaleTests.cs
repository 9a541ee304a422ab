using System.Collections.Immutable;
using Sandboxes.Silo.Sandboxes;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Catalog;

/// <summary>
/// A thousand sandboxes with ordinary specs made the single catalog record too large to write,
/// and then every start failed. Each is a row now: starts and listings carry on.
/// </summary>
public sealed class CatalogScaleTests
{
    [Fact]
    public async Task Starts_and_paged_listings_work_with_over_a_thousand_catalogued_sandboxes()
    {
        await using var silo = new TestSilo();
        await silo.StartAsync();
        var catalog = silo.Grains.GetCatalog();
        var now = DateTimeOffset.UtcNow;
        var spec = new SandboxSpec
        {
            Image = TestEnvironment.Image,
            Cpus = 1,
            MemoryBytes = 512L << 20,
            PidsLimit = 512,
            Env = Enumerable.Range(0, 20).ToImmutableDictionary(i => $"SETTING_{i}", _ => new string('v', 40)),
            Labels = ImmutableDictionary<string, string>.Empty.Add("team", "catalog-scale").Add("owner", "someone@example.com"),
        };
        var names = Enumerable.Range(0, 1100).Select(i => $"row-{i:D4}").ToList();
        foreach (var batch in names.Chunk(50))
        {
            await Task.WhenAll(batch.Select(name => catalog.RecordAsync(SandboxKey.DefaultTenant, new SandboxView
            {
                Name = name,
                Status = SandboxStatus.Sleeping,
                Spec = spec,
                SleepPolicy = SleepPolicy.Default,
                Created = now,
                LastActive = now,
            })));
        }

        var box = await silo.Client.CreateAsync("zz-real");
        Assert.Equal("up\n", (await box.ExecAsync("echo up")).Stdout);

        var first = await silo.Client.ListPageAsync(new Dictionary<string, string> { ["team"] = "catalog-scale" }, pageSize: 1000, "");
        Assert.Equal(names.Take(first.Sandboxes.Count), first.Sandboxes.Select(s => s.Name));
        Assert.NotEmpty(first.NextPageToken);
        var all = await silo.Client.ListAsync();
        Assert.Equal([.. names, "zz-real"], all.Select(s => s.Name));
    }
}
