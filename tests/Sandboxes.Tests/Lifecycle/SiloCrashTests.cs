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

        // The client is made once the first silo process has written its admin key.
        Sandboxes.Client.Sandbox Box() => silo.Client.Sandbox(name);
        string containerId;
        await using (var first = await SiloProcess.StartAsync(silo))
        {
            await Box().Files.WriteTextAsync("/root/before-crash.txt", "kept");
            await Box().ExecAsync("nohup sleep 1005 >/dev/null 2>&1 &");
            containerId = Assert.Single(await silo.OwnedContainersAsync(name)).ID;

            await first.KillAsync();
        }

        Assert.Equal("running", Assert.Single(await silo.OwnedContainersAsync(name)).State);
        await using var second = await SiloProcess.StartAsync(silo);

        Assert.Equal(SandboxState.Running, (await Box().GetInfoAsync()).State);
        Assert.Equal("kept", await Box().Files.ReadTextAsync("/root/before-crash.txt"));
        Assert.Equal("1\n", (await Box().ExecAsync("ps -eo args | grep -c '^sleep 1005' || true")).Stdout);
        Assert.Equal(containerId, Assert.Single(await silo.OwnedContainersAsync(name)).ID);
    }
}
