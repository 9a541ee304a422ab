using Docker.DotNet.Models;
using Sandboxes.Silo.Containers;

namespace Sandboxes.Tests.Security;

/// <summary>How the silo tells, from the engine's own answer, which host user root in a sandbox is.</summary>
public sealed class RemappedRootTests
{
    [Fact]
    public void A_remapping_engine_names_its_root_in_its_data_root()
    {
        var info = new SystemInfoResponse
        {
            SecurityOptions = ["name=seccomp,profile=default", "name=userns"],
            DockerRootDir = "/var/lib/sandboxes/engine/data/100000.100000",
        };

        Assert.Equal(new RemappedRoot(100000, 100000), RemappedRoot.FromEngine(info));
    }

    [Fact]
    public void An_engine_without_remapping_has_none()
    {
        var info = new SystemInfoResponse { SecurityOptions = ["name=seccomp,profile=default"], DockerRootDir = "/var/lib/docker" };

        Assert.Null(RemappedRoot.FromEngine(info));
    }

    [Fact]
    public void A_remapping_engine_whose_data_root_names_no_user_is_refused()
    {
        var info = new SystemInfoResponse { SecurityOptions = ["name=userns"], DockerRootDir = "/var/lib/docker" };

        Assert.Throws<InvalidOperationException>(() => RemappedRoot.FromEngine(info));
    }
}
