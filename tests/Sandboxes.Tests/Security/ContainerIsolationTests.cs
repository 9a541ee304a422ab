using Sandboxes.Tests.Infrastructure;

namespace Sandboxes.Tests.Security;

[Collection(SiloCollection.Name)]
public sealed class ContainerIsolationTests(SiloFixture fixture)
{
    private readonly TestSilo _silo = fixture.Silo;

    [Fact]
    public async Task Containers_are_locked_down()
    {
        var name = _silo.UniqueName("locked");
        var box = _silo.Client.Sandbox(name);
        await box.ExecAsync("true");

        var container = Assert.Single(await _silo.OwnedContainersAsync(name));
        var inspect = await _silo.Docker.Containers.InspectContainerAsync(container.ID);
        var host = inspect.HostConfig!;

        Assert.Equal("none", host.NetworkMode);
        Assert.True(host.Init);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Contains("no-new-privileges", host.SecurityOpt);
        Assert.True(host.PidsLimit > 0);
        Assert.True(host.Memory > 0);
        Assert.True(host.NanoCPUs > 0);
        Assert.False(host.Privileged);
        Assert.DoesNotContain(inspect.Mounts, m => m.Source.Contains("docker.sock", StringComparison.Ordinal));
        Assert.Equal(_silo.Owner, inspect.Config!.Labels!["sandboxes.owner"]);
    }

    [Fact]
    public async Task Inside_there_is_no_network_no_capabilities_and_no_docker_socket()
    {
        var box = _silo.Client.Sandbox(_silo.UniqueName("inside"));

        var result = await box.ExecAsync(
            "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status | tr -s '\\t ' ' '; ls /sys/class/net; test -e /var/run/docker.sock && echo docker-socket || echo no-docker-socket");

        Assert.Equal("CapEff: 0000000000000000\nCapBnd: 0000000000000000\nNoNewPrivs: 1\nlo\nno-docker-socket\n", result.Stdout);
    }
}
