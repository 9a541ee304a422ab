using Azure.Data.Tables;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Silo.Catalog;
using Sandboxes.Silo.Sandboxes;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Catalog;

/// <summary>
/// The catalog is a row per sandbox: one sandbox's size cannot stop the others, listing pages,
/// and environment values (often keys) are never stored in it nor returned.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class CatalogTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task A_huge_env_is_refused_and_does_not_stop_other_sandboxes_from_starting()
    {
        var huge = new SandboxOptions();
        huge.Env.Add("HUGE", new string('k', 1_200_000));

        var refused = await Assert.ThrowsAsync<RpcException>(() => _silo.Client.CreateAsync(_silo.UniqueName("huge"), huge));
        var ordinary = await _silo.Client.CreateAsync(_silo.UniqueName("ordinary"));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("ok\n", (await ordinary.ExecAsync("echo ok")).Stdout);
        Assert.Contains(await _silo.Client.ListAsync(), s => s.Name == ordinary.Name);
        await ordinary.DestroyAsync();
    }

    [Fact]
    public async Task Env_values_are_neither_returned_nor_kept_in_the_catalog()
    {
        var options = new SandboxOptions();
        options.Env.Add("API_KEY", "hunter2-secret");
        options.Env.Add("REGION", "north");
        var name = _silo.UniqueName("secret");

        var box = await _silo.Client.CreateAsync(name, options);
        var got = await box.GetInfoAsync();
        var listed = Assert.Single(await _silo.Client.ListAsync(), s => s.Name == name);

        Assert.Equal("hunter2-secret\n", (await box.ExecAsync("echo $API_KEY")).Stdout);
        foreach (var info in new[] { got, listed })
        {
            Assert.Empty(info.Env);
            Assert.Equal(["API_KEY", "REGION"], info.EnvNames);
        }

        var table = new TableClient(TestEnvironment.StorageConnectionString, SandboxCatalogTable.TableName(_silo.Owner));
        var row = await table.GetEntityAsync<TableEntity>(SandboxKey.DefaultTenant, name);
        Assert.DoesNotContain(row.Value, p => p.Value?.ToString()?.Contains("hunter2", StringComparison.Ordinal) == true);
        await box.DestroyAsync();
    }

    [Fact]
    public async Task Listing_pages_through_the_matching_sandboxes_in_name_order()
    {
        var label = _silo.UniqueName("page");
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var options = new SandboxOptions();
            options.Labels.Add("batch", label);
            names.Add((await _silo.Client.CreateAsync(_silo.UniqueName("paged"), options)).Name);
        }

        var labels = new Dictionary<string, string> { ["batch"] = label };
        var seen = new List<string>();
        var token = "";
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await _silo.Client.ListPageAsync(labels, pageSize: 2, token);
            Assert.InRange(page.Sandboxes.Count, 0, 2);
            seen.AddRange(page.Sandboxes.Select(s => s.Name));
            token = page.NextPageToken;
            if (token.Length == 0)
            {
                break;
            }
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), seen);
        var tooBig = await Assert.ThrowsAsync<RpcException>(() => _silo.Client.ListPageAsync(labels, pageSize: 5000, ""));
        Assert.Equal(StatusCode.InvalidArgument, tooBig.StatusCode);
        Assert.Contains("1000", tooBig.Status.Detail, StringComparison.Ordinal);
        foreach (var name in names)
        {
            await _silo.Client.Sandbox(name).DestroyAsync();
        }
    }
}
