using Grpc.Core;
using Sandboxes.Client;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Auth;

/// <summary>The bootstrap admin key: written once, owner-only, kept across restarts, never silently replaced.</summary>
public sealed class AdminKeyFileTests
{
    [Fact]
    public async Task The_first_start_writes_an_owner_only_admin_key_that_later_starts_keep_and_do_not_silently_replace()
    {
        await using var silo = new TestSilo();
        await silo.StartAsync();
        var path = Path.Combine(silo.DataRoot, "admin.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var first = silo.AdminKey;
        var admin = Assert.Single(await silo.Client.Keys.ListAsync());
        Assert.Equal(("default", true), (admin.Tenant, admin.Admin));

        await silo.RestartAsync();
        Assert.Equal(first, silo.AdminKey);

        // Deleted while the key is still valid: the silo does not mint another admin key.
        File.Delete(path);
        await silo.RestartAsync();
        Assert.False(File.Exists(path));
        using (var stillValid = new SandboxClient(silo.GrpcUrl, first))
        {
            Assert.Single(await stillValid.Keys.ListAsync());

            // With no valid admin key left, the next start mints one, so the operator is never locked out.
            Assert.True(await stillValid.Keys.RevokeAsync(admin.Id));
        }

        await silo.RestartAsync();
        Assert.NotEqual(first, silo.AdminKey);
        using var renewed = new SandboxClient(silo.GrpcUrl, silo.AdminKey);
        Assert.Single(await renewed.Keys.ListAsync());
        using var old = new SandboxClient(silo.GrpcUrl, first);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => old.ListAsync())).StatusCode);
    }
}
