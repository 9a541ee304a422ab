using Google.Protobuf.WellKnownTypes;
using Sandboxes.Client;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Security;

/// <summary>
/// A sandbox is hostile code, and its agent runs inside it: what the agent reports cannot keep
/// a sandbox awake for ever, and an agent that goes silent does not leave its container running.
/// </summary>
public sealed class SleepDodgeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task An_agent_stopped_from_inside_gets_its_container_stopped_not_just_marked_asleep()
    {
        // The default ceiling (hours), so that only the silent agent can stop this container.
        await using var silo = await StartAsync(null);
        var box = await silo.Client.CreateAsync(silo.UniqueName("silenced"), new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });

        // A started process keeps the sandbox awake while its agent answers.
        await box.Processes.StartAsync("sleep 100000", new StartProcessOptions { Id = "keeper" });

        // The sandbox freezes its own agent once this exec has answered: from then on it never replies.
        await box.ExecAsync("nohup sh -c 'sleep 1; for p in /proc/[0-9]*; do [ \"$(cat $p/comm 2>/dev/null)\" = sandboxd ] && kill -STOP ${p#/proc/}; done' >/dev/null 2>&1 &");

        await Eventually.WaitAsync(() => ContainerStateAsync(silo, box.Name), s => s != "running", Bound, "the silent agent's container to be stopped");
        Assert.Equal(SandboxState.Sleeping, (await box.GetInfoAsync()).State);

        // The next call starts it again, with a working agent.
        Assert.Equal("back\n", (await box.ExecAsync("echo back")).Stdout);
    }

    [Fact]
    public async Task What_the_agent_reports_keeps_a_sandbox_awake_only_up_to_the_configured_ceiling()
    {
        await using var silo = await StartAsync(Ceiling);
        var box = await silo.Client.CreateAsync(silo.UniqueName("lingerer"), new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });

        // The agent reports this process as running for as long as the sandbox lives; a lying agent reports the same.
        await box.Processes.StartAsync("sleep 100000", new StartProcessOptions { Id = "forever" });
        var started = DateTimeOffset.UtcNow;

        await Eventually.WaitAsync(() => ContainerStateAsync(silo, box.Name), s => s != "running", Bound, "the ceiling to put the sandbox to sleep");
        Assert.True(DateTimeOffset.UtcNow - started >= Ceiling - TimeSpan.FromSeconds(1), "the running process kept the sandbox awake until the ceiling");
        Assert.Equal(SandboxState.Sleeping, (await box.GetInfoAsync()).State);
    }

    [Fact]
    public async Task A_call_the_silo_is_relaying_keeps_the_sandbox_awake_past_the_ceiling()
    {
        await using var silo = await StartAsync(Ceiling);
        var box = await silo.Client.CreateAsync(silo.UniqueName("busy"), new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });

        var result = await box.ExecAsync("sleep 12; echo finished");

        Assert.Equal((0, "finished\n"), (result.ExitCode, result.Stdout));
    }

    private static async Task<TestSilo> StartAsync(TimeSpan? ceiling)
    {
        var silo = new TestSilo(ceiling is { } value ? new Dictionary<string, string?> { ["Sandboxes:MaxAwakeWithoutCalls"] = value.ToString() } : null);
        await silo.StartAsync();
        return silo;
    }

    private static async Task<string> ContainerStateAsync(TestSilo silo, string name) =>
        (await silo.OwnedContainersAsync(name)).SingleOrDefault()?.State ?? "missing";
}
