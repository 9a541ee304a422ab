using Docker.DotNet.Models;
using Google.Protobuf.WellKnownTypes;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Processes;

[Collection(SiloCollection.Name)]
public sealed class ProcessSleepTests(SiloFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task A_running_process_keeps_the_sandbox_awake_and_its_record_survives_the_sleep()
    {
        var box = await _silo.Client.CreateAsync(_silo.UniqueName("keeper"), new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });
        var control = await _silo.Client.CreateAsync(_silo.UniqueName("control"), new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });
        await box.Processes.StartAsync("echo done", new StartProcessOptions { Id = "quick" });
        await box.Processes.StartAsync("echo serving; sleep 1000", new StartProcessOptions { Id = "server" });
        await box.Processes.WaitForExitAsync("quick", Bound);

        // The control sandbox proves enough idle time passed for a sleep to happen.
        await Eventually.WaitAsync(() => control.GetInfoAsync(), i => i.State == SandboxState.Sleeping, Bound, "the control sandbox to sleep");
        Assert.Equal(SandboxState.Running, (await box.GetInfoAsync()).State);
        await box.Processes.KillAsync("server");
        await Eventually.WaitAsync(() => box.GetInfoAsync(), i => i.State == SandboxState.Sleeping, Bound, "the sandbox to sleep once its process ended");

        var records = await box.Processes.ListAsync();
        var logs = await box.Processes.GetLogsAsync("server");

        Assert.Equal([("quick", ProcessStatus.Completed), ("server", ProcessStatus.Killed)], records.Select(p => (p.Id, p.Status)));
        Assert.Equal("serving\n", logs.Stdout.ToStringUtf8());
    }

    [Fact]
    public async Task A_process_running_when_the_container_stopped_is_recorded_as_killed()
    {
        var name = _silo.UniqueName("stopped");
        var box = _silo.Client.Sandbox(name);
        await box.Processes.StartAsync("echo up; sleep 1000", new StartProcessOptions { Id = "victim" });
        await box.Processes.WaitForLogAsync("victim", "up", Bound);
        var container = Assert.Single(await _silo.OwnedContainersAsync(name));

        await _silo.Docker.Containers.StopContainerAsync(container.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 1 });
        var after = await Eventually.WaitAsync(
            async () => await TryGetAsync(box, "victim"),
            p => p is { Status: ProcessStatus.Killed },
            Bound,
            "the woken sandbox to report the process as killed");

        Assert.NotNull(after!.EndedAt);
        Assert.Equal("up\n", (await box.Processes.GetLogsAsync("victim")).Stdout.ToStringUtf8());
    }

    private static async Task<ProcessInfo?> TryGetAsync(Sandbox box, string id)
    {
        try
        {
            return await box.Processes.GetAsync(id);
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unavailable)
        {
            return null;
        }
    }
}
