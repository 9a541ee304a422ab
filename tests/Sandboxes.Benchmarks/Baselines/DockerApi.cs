using Docker.DotNet;
using Docker.DotNet.Models;

namespace Sandboxes.Benchmarks.Baselines;

/// <summary>
/// The Docker Engine API called directly (Docker.DotNet), with the same lock-down the
/// product uses: the fastest a control plane without an in-sandbox agent could be.
/// </summary>
public sealed class DockerApi(DockerClient docker, string owner)
{
    /// <summary>Runs argv in a running container and waits for its exit code.</summary>
    public async Task<long> ExecAsync(string containerId, IList<string> argv, CancellationToken cancellationToken = default)
    {
        var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = argv,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        using (var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { Detach = false, TTY = false }, cancellationToken))
        {
            await stream.ReadOutputToEndAsync(cancellationToken);
        }

        var inspect = await docker.Exec.InspectContainerExecAsync(exec.ID, cancellationToken);
        return inspect.ExitCode ?? throw new InvalidOperationException("exec finished without an exit code");
    }

    /// <summary>Creates and starts a locked-down container that idles, for exec baselines.</summary>
    public async Task<string> StartIdleContainerAsync(string image, CancellationToken cancellationToken = default)
    {
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = ["sleep", "infinity"],
            Labels = new Dictionary<string, string> { ["sandboxes.owner"] = owner },
            HostConfig = new HostConfig
            {
                NetworkMode = "none",
                Init = true,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                PidsLimit = 512,
                Memory = 1L << 30,
                NanoCPUs = 1_000_000_000,
            },
        }, cancellationToken);
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        return created.ID;
    }

    public async Task StartAsync(string containerId) =>
        await docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters());

    public async Task StopAsync(string containerId) =>
        await docker.Containers.StopContainerAsync(containerId, new ContainerStopParameters { WaitBeforeKillSeconds = 1 });

    public async Task RemoveAsync(string containerId) =>
        await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true });
}
