using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Sandboxes.Protocol;
using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Lifecycle;

[Collection(SiloCollection.Name)]
public sealed class LifecycleTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Create_applies_options_and_create_again_returns_the_same_sandbox()
    {
        var name = _silo.UniqueName("opts");
        var options = new SandboxOptions { Cpus = 0.5, MemoryBytes = 256UL << 20, PidsLimit = 100 };
        options.Env["MODE"] = "test";
        options.Labels["team"] = "blue";

        var box = await _silo.Client.CreateAsync(name, options);
        var again = await _silo.Client.CreateAsync(name, new SandboxOptions { Cpus = 1 });
        var info = await again.GetInfoAsync();
        var env = await box.ExecAsync("echo $MODE; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; cat /sys/fs/cgroup/pids/pids.max");
        var byLabel = await _silo.Client.ListAsync(new Dictionary<string, string> { ["team"] = "blue" });
        var byOtherLabel = await _silo.Client.ListAsync(new Dictionary<string, string> { ["team"] = "red" });

        Assert.Equal((0.5, 256UL << 20, "blue"), (info.Cpus, info.MemoryBytes, info.Labels["team"]));
        Assert.Equal($"test\n{256L << 20}\n100\n", env.Stdout);
        Assert.Contains(byLabel, s => s.Name == name && s.State == SandboxState.Running);
        Assert.DoesNotContain(byOtherLabel, s => s.Name == name);
    }

    [Fact]
    public async Task An_idle_sandbox_sleeps_and_the_next_call_wakes_it_with_its_files()
    {
        var name = _silo.UniqueName("sleepy");
        var box = await _silo.Client.CreateAsync(name, new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) });
        await box.Files.WriteTextAsync("/root/kept.txt", "still here");

        await Eventually.WaitAsync(() => box.GetInfoAsync(), i => i.State == SandboxState.Sleeping, TimeSpan.FromSeconds(60), "the idle sandbox to sleep");
        var stopped = Assert.Single(await _silo.OwnedContainersAsync(name));
        Assert.NotEqual("running", stopped.State);

        var woken = await box.ExecAsync("cat /root/kept.txt");

        Assert.Equal("still here", woken.Stdout);
        Assert.Equal(SandboxState.Running, (await box.GetInfoAsync()).State);
        Assert.Equal(stopped.ID, Assert.Single(await _silo.OwnedContainersAsync(name)).ID);
    }

    [Fact]
    public async Task Keep_alive_stops_a_sandbox_from_sleeping()
    {
        var name = _silo.UniqueName("awake");
        var box = await _silo.Client.CreateAsync(name, new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), KeepAlive = true });
        var sleeper = await _silo.Client.CreateAsync(_silo.UniqueName("control"), new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });

        // The control sandbox proves enough idle time passed for a sleep to happen.
        await Eventually.WaitAsync(() => sleeper.GetInfoAsync(), i => i.State == SandboxState.Sleeping, TimeSpan.FromSeconds(60), "the control sandbox to sleep");

        Assert.Equal(SandboxState.Running, (await box.GetInfoAsync()).State);
        var policy = await box.SetSleepPolicyAsync(TimeSpan.FromSeconds(1), keepAlive: false);
        Assert.False(policy.KeepAlive);
        await Eventually.WaitAsync(() => box.GetInfoAsync(), i => i.State == SandboxState.Sleeping, TimeSpan.FromSeconds(60), "the sandbox to sleep once keep-alive is off");
    }

    [Fact]
    public async Task A_long_running_exec_keeps_the_sandbox_awake()
    {
        var name = _silo.UniqueName("busy");
        var box = await _silo.Client.CreateAsync(name, new SandboxOptions { SleepAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });

        var result = await box.ExecAsync("sleep 4; echo finished");

        Assert.Equal("finished\n", result.Stdout);
    }

    [Fact]
    public async Task Destroy_removes_container_state_and_host_folder()
    {
        var name = _silo.UniqueName("doomed");
        var box = _silo.Client.Sandbox(name);
        await box.Files.WriteTextAsync("/root/file.txt", "x");
        Assert.True(Directory.Exists(Path.Combine(_silo.DataRoot, "boxes", name)));

        Assert.True(await box.DestroyAsync());

        Assert.Empty(await _silo.OwnedContainersAsync(name));
        Assert.False(Directory.Exists(Path.Combine(_silo.DataRoot, "boxes", name)));
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => box.GetInfoAsync())).StatusCode);
        Assert.DoesNotContain(await _silo.Client.ListAsync(), s => s.Name == name);
        var reborn = await box.ExecAsync("test -e /root/file.txt; echo $?");
        Assert.Equal("1\n", reborn.Stdout);
    }
}
