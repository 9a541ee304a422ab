using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Lifecycle;

[Collection(SiloCollection.Name)]
public sealed class SiloCrashTests
{
    [Fact]
    public async Task A_killed_silo_loses_no_sandbox_file_or_process()
    {
        await using var silo = new TestSilo();
        var name = silo.UniqueName("crash");
        var box = silo.Client.Sandbox(name);
        string containerId;
        await using (var first = await SiloProcess.StartAsync(silo))
        {
            await box.Files.WriteTextAsync("/root/before-crash.txt", "kept");
            await box.ExecAsync("nohup sleep 1005 >/dev/null 2>&1 &");
            containerId = Assert.Single(await silo.OwnedContainersAsync(name)).ID;

            await first.KillAsync();
        }

        Assert.Equal("running", Assert.Single(await silo.OwnedContainersAsync(name)).State);
        await using var second = await SiloProcess.StartAsync(silo);

        Assert.Equal(SandboxState.Running, (await box.GetInfoAsync()).State);
        Assert.Equal("kept", await box.Files.ReadTextAsync("/root/before-crash.txt"));
        Assert.Equal("1\n", (await box.ExecAsync("ps -eo args | grep -c '^sleep 1005' || true")).Stdout);
        Assert.Equal(containerId, Assert.Single(await silo.OwnedContainersAsync(name)).ID);
    }
}
