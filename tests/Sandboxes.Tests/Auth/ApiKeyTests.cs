using Grpc.Core;
using Grpc.Net.Client;
using Sandboxes.Client;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Auth;

/// <summary>API keys on the gRPC port: every RPC needs a valid one, and only admin keys manage keys.</summary>
[Collection(SiloCollection.Name)]
public sealed class ApiKeyTests(SiloFixture fixture)
{
    private static readonly string WrongKey = "sbx_0123456789abcdef_" + new string('7', 64);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Every_rpc_of_every_service_answers_unauthenticated_without_a_key_with_a_wrong_one_and_with_a_revoked_one()
    {
        var revoked = await _silo.Client.Keys.CreateAsync("default", description: "to be revoked");
        Assert.True(await _silo.Client.Keys.RevokeAsync(revoked.Info.Id));
        using var channel = GrpcChannel.ForAddress(_silo.GrpcUrl);
        var methods = RawCalls.AllMethods();
        Assert.True(methods.Count >= 43 && methods.Any(m => m.Service.Name == "Keys"), $"only {methods.Count} methods found in the proto's descriptors");

        var failures = new List<string>();
        foreach (var method in methods)
        {
            foreach (var (label, key) in new[] { ("no key", (string?)null), ("a malformed key", "hunter2"), ("a wrong key", WrongKey), ("a revoked key", revoked.Key) })
            {
                var status = await RawCalls.CallAsync(channel, method, key);
                if (status.StatusCode != StatusCode.Unauthenticated)
                {
                    failures.Add($"{method.FullName} with {label}: {status.StatusCode} {status.Detail}");
                }
                else if (key is null && !status.Detail.Contains("--api-key", StringComparison.Ordinal))
                {
                    failures.Add($"{method.FullName} with no key does not say how to pass one: {status.Detail}");
                }
            }
        }

        Assert.Empty(failures);

        // The same raw call with the admin key gets past the check.
        var listed = await RawCalls.CallAsync(channel, methods.Single(m => m.FullName == "sandboxes.v1.Sandboxes.List"), _silo.AdminKey);
        Assert.Equal(StatusCode.OK, listed.StatusCode);
    }

    [Fact]
    public async Task A_tenant_key_works_for_sandboxes_cannot_manage_keys_and_stops_at_once_when_revoked()
    {
        var created = await _silo.Client.Keys.CreateAsync("default", description: "test key");
        Assert.Matches("^sbx_[0-9a-f]{16}_[0-9a-f]{64}$", created.Key);
        using var tenant = new SandboxClient(_silo.GrpcUrl, created.Key);
        await tenant.ListAsync();

        foreach (var call in new Func<Task>[] { () => tenant.Keys.CreateAsync("default"), () => tenant.Keys.ListAsync(), () => tenant.Keys.RevokeAsync(created.Info.Id) })
        {
            var denied = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
            Assert.Contains("only admin keys", denied.Status.Detail, StringComparison.Ordinal);
        }

        Assert.True(await _silo.Client.Keys.RevokeAsync(created.Info.Id));
        var refused = await Assert.ThrowsAsync<RpcException>(() => tenant.ListAsync());
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.False(await _silo.Client.Keys.RevokeAsync(created.Info.Id));
    }

    [Fact]
    public async Task Sbx_keys_creates_lists_without_secrets_and_revokes()
    {
        var sbx = new CliRunner(_silo);
        var created = await sbx.RunAsync("keys", "create", "--tenant", "default", "--description", "made by sbx");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var key = created.Stdout.Trim();
        var id = key.Split('_')[1];
        var secret = key.Split('_')[2];

        var listed = await sbx.RunAsync("keys", "ls", "--tenant", "default");
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Contains(id, listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("made by sbx", listed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..16], listed.Stdout + listed.Stderr, StringComparison.Ordinal);

        var withTenantKey = await new CliRunner(_silo.GrpcUrl, key).RunAsync("ls");
        Assert.True(withTenantKey.ExitCode == 0, withTenantKey.Stderr);
        var notAdmin = await new CliRunner(_silo.GrpcUrl, key).RunAsync("keys", "ls");
        Assert.Equal(125, notAdmin.ExitCode);
        Assert.Contains("PermissionDenied", notAdmin.Stderr, StringComparison.Ordinal);

        var removed = await sbx.RunAsync("keys", "rm", id);
        Assert.True(removed.ExitCode == 0, removed.Stderr);
        var afterwards = await new CliRunner(_silo.GrpcUrl, key).RunAsync("ls");
        Assert.Equal(125, afterwards.ExitCode);
        Assert.Contains("Unauthenticated", afterwards.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sbx_without_a_key_says_how_to_pass_one()
    {
        var result = await new CliRunner(_silo.GrpcUrl, null).RunAsync("ls");

        Assert.Equal(125, result.ExitCode);
        Assert.Contains("--api-key", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("SANDBOXES_API_KEY", result.Stderr, StringComparison.Ordinal);
    }
}
