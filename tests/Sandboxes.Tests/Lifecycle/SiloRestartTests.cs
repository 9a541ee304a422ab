using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Lifecycle;

/// <summary>Uses its own silo, since it restarts it.</summary>
[Collection(SiloCollection.Name)]
public sealed class SiloRestartTests
{
    [Fact]
    public async Task A_silo_restart_keeps_sandboxes_files_and_running_processes()
    {
        await using var silo = new TestSilo();
        await silo.StartAsync();
        var name = silo.UniqueName("survivor");
        var box = silo.Client.Sandbox(name);
        await box.Files.WriteTextAsync("/root/state.txt", "persisted");
        await box.ExecAsync("nohup sleep 1004 >/dev/null 2>&1 &");
        var before = await box.GetInfoAsync();
        var container = Assert.Single(await silo.OwnedContainersAsync(name));

        await silo.StopAsync();
        Assert.Equal("running", Assert.Single(await silo.OwnedContainersAsync(name)).State);
        await silo.StartAsync();

        var after = await box.GetInfoAsync();
        Assert.Equal(before.Created, after.Created);
        Assert.Equal(SandboxState.Running, after.State);
        Assert.Equal("persisted", await box.Files.ReadTextAsync("/root/state.txt"));
        Assert.Equal("1\n", (await box.ExecAsync("ps -eo args | grep -c '^sleep 1004' || true")).Stdout);
        Assert.Equal(container.ID, Assert.Single(await silo.OwnedContainersAsync(name)).ID);
        Assert.Contains(await silo.Client.ListAsync(), s => s.Name == name);
    }
}
