using Orleans.Core.Internal;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Lifecycle;

/// <summary>Only idleness stops a container; Orleans deactivating the grain for its own reasons does not.</summary>
[Collection(SiloCollection.Name)]
public sealed class DeactivationTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task A_grain_deactivated_by_Orleans_leaves_its_container_and_processes_running()
    {
        var name = _silo.UniqueName("deactivated");
        var box = _silo.Client.Sandbox(name);
        await box.ExecAsync("nohup sleep 1006 >/dev/null 2>&1 &");
        var container = Assert.Single(await _silo.OwnedContainersAsync(name));

        // What rebalancing and memory pressure do to an activation.
        await _silo.Grains.GetGrain<ISandboxGrain>(name).Cast<IGrainManagementExtension>().DeactivateOnIdle();

        Assert.Equal("running", Assert.Single(await _silo.OwnedContainersAsync(name)).State);
        Assert.Equal(SandboxState.Running, (await box.GetInfoAsync()).State);
        Assert.Equal("1\n", (await box.ExecAsync("ps -eo args | grep -c '^sleep 1006' || true")).Stdout);
        Assert.Equal(container.ID, Assert.Single(await _silo.OwnedContainersAsync(name)).ID);
    }
}
