using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Security;

/// <summary>A sandbox's disk is limited by the kernel (btrfs quotas on the product's engine), and filling it harms nobody else.</summary>
[Collection(SiloCollection.Name)]
public sealed class DiskLimitTests(SiloFixture fixture)
{
    /// <summary>Well past 64 MiB, even with the slack the silo adds under full btrfs quotas (an eighth of the image).</summary>
    private const int PastTheLimit = 400 << 20;

    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Past_its_disk_limit_a_sandbox_gets_quota_errors_and_another_sandbox_is_unaffected()
    {
        var small = await _silo.Client.CreateAsync(_silo.UniqueName("disk64m"), new SandboxOptions { DiskBytes = 64UL << 20 });
        var other = _silo.Client.Sandbox(_silo.UniqueName("diskfree"));

        // Most of the limit is usable (the agent's own files count too); far past it is not.
        var fits = await small.ExecAsync("dd if=/dev/zero of=/root/fits bs=1M count=56 2>&1 && rm /root/fits && echo fits");
        var dd = await small.ExecAsync($"dd if=/dev/zero of=/root/big bs=1M count={PastTheLimit >> 20}");
        var cleared = await small.ExecAsync("rm -f /root/big && echo cleared");
        var upload = await Assert.ThrowsAsync<RpcException>(() => small.Files.WriteAsync("/root/upload", new byte[PastTheLimit]));
        var after = await small.ExecAsync("rm -f /root/upload && echo still-runs");

        Assert.EndsWith("fits\n", fits.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, dd.ExitCode);
        Assert.Matches("Disk quota exceeded|No space left on device", dd.Stderr);
        Assert.Equal("cleared\n", cleared.Stdout);
        Assert.Equal(StatusCode.ResourceExhausted, upload.StatusCode);
        Assert.Equal("still-runs\n", after.Stdout);
        var written = await other.Files.WriteAsync("/root/big", new byte[PastTheLimit]);
        Assert.Equal(PastTheLimit, (long)written.Size);
        Assert.Equal("ok\n", (await other.ExecAsync("dd if=/dev/zero of=/root/more bs=1M count=100 2>/dev/null && echo ok")).Stdout);
        Assert.Equal(64UL << 20, (await small.GetInfoAsync()).DiskBytes);
    }

    [Fact]
    public async Task A_disk_above_the_configured_maximum_is_refused_naming_the_limit()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => _silo.Client.CreateAsync(_silo.UniqueName("diskhuge"), new SandboxOptions { DiskBytes = 1UL << 50 }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("Sandboxes:MaxDiskBytes", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sbx_create_takes_a_disk_limit()
    {
        var name = _silo.UniqueName("diskcli");

        var create = await new CliRunner(_silo).RunAsync("create", name, "--disk", "128m");

        Assert.True(create.ExitCode == 0, create.Stderr);
        Assert.Equal(128UL << 20, (await _silo.Client.Sandbox(name).GetInfoAsync()).DiskBytes);
    }

    [Fact]
    public async Task A_sandbox_gets_the_default_disk_limit_from_configuration()
    {
        var name = _silo.UniqueName("diskdefault");
        var box = _silo.Client.Sandbox(name);
        await box.ExecAsync("true");

        var container = Assert.Single(await _silo.OwnedContainersAsync(name));
        var inspect = await _silo.Docker.Containers.InspectContainerAsync(container.ID);
        var image = await _silo.Docker.Images.InspectImageAsync(TestEnvironment.Image);
        var engine = await _silo.Docker.System.GetSystemInfoAsync();

        // Simple quotas charge only what the sandbox writes; full quotas its image too.
        var expected = engine.Labels.Contains("sandboxes.disk-quota=squota") ? 10L << 30 : image.Size + (image.Size / 8) + (10L << 30);
        Assert.Equal(10UL << 30, (await box.GetInfoAsync()).DiskBytes);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), inspect.HostConfig!.StorageOpt!["size"]);
    }
}
