using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Egress;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Containers;

/// <summary>
/// The silo's only door to the Docker engine. Every container it makes is locked down:
/// no network, docker-init, all capabilities dropped, no-new-privileges, limits (disk too),
/// no Docker socket, no Docker log, and the owner label. The engine remaps users, so root
/// inside is an unprivileged user on the host (see <see cref="SandboxFolders"/>).
/// </summary>
public sealed class SandboxContainers(DockerClient docker, SandboxFolders folders, IOptions<SandboxesOptions> options, IOptions<EgressOptions> egress, ILogger<SandboxContainers> logger)
{
    /// <summary>Where sandboxd and its socket folder appear inside the container.</summary>
    public const string AgentMount = "/.sandboxes/agent";
    public const string RunMount = "/.sandboxes/run";
    public const string EgressMount = "/.sandboxes/egress";

    private readonly SandboxesOptions _options = options.Value;

    /// <summary>The agent's socket folder, named by the sandbox's local name (unique across tenants).</summary>
    public string HostFolder(SandboxKey sandbox) => Path.Combine(_options.BoxesDirectory, sandbox.LocalName);

    public string SocketPath(SandboxKey sandbox) => Path.Combine(HostFolder(sandbox), "agent.sock");

    /// <summary>Where the silo's egress proxy socket for this sandbox lives; read-only inside.</summary>
    public string EgressFolder(SandboxKey sandbox) => Path.Combine(_options.EgressDirectory, sandbox.LocalName);

    /// <summary>Unique per engine, so a second create for the same sandbox fails instead of forking it.</summary>
    public string ContainerName(SandboxKey sandbox) => $"{_options.Owner}-{sandbox.LocalName}";

    /// <summary>Finds the sandbox's container by its name, which is unique on the engine, and checks its labels.</summary>
    public async Task<SandboxContainer?> FindAsync(SandboxKey sandbox, CancellationToken cancellationToken)
    {
        ContainerInspectResponse found;
        try
        {
            found = await docker.Containers.InspectContainerAsync(ContainerName(sandbox), cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }

        var labels = found.Config?.Labels;
        if (labels is null || !labels.TryGetValue(ContainerLabels.Owner, out var owner) || owner != _options.Owner)
        {
            throw new SandboxException(SandboxError.FailedPrecondition, $"container '{ContainerName(sandbox)}' exists but is not owned by '{_options.Owner}'; remove it or choose another owner");
        }

        return new SandboxContainer(found.ID, sandbox, found.State?.Running == true, found.Created);
    }

    /// <summary>Every container this deployment owns, running or not.</summary>
    public async Task<IReadOnlyList<SandboxContainer>> ListOwnedAsync(CancellationToken cancellationToken)
    {
        var found = await docker.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Owner}={_options.Owner}"] = true },
                },
            },
            cancellationToken);
        return found
            .Select(c => new SandboxContainer(c.ID, ContainerLabels.SandboxOf(c.Labels), c.State == "running", c.Created))
            .ToList();
    }

    public async Task<string> CreateAsync(SandboxKey sandbox, SandboxSpec spec, CancellationToken cancellationToken)
    {
        var hostFolder = HostFolder(sandbox);
        folders.PrepareSocketFolder(hostFolder);
        folders.Prepare(EgressFolder(sandbox));
        var storage = await StorageAsync(spec, cancellationToken);
        var labels = new Dictionary<string, string>
        {
            [ContainerLabels.Owner] = _options.Owner,
            [ContainerLabels.Tenant] = sandbox.Tenant,
            [ContainerLabels.Sandbox] = sandbox.Name,
        };
        try
        {
            var created = await docker.Containers.CreateContainerAsync(
                new CreateContainerParameters
                {
                    Name = ContainerName(sandbox),
                    Image = spec.Image,
                    Hostname = sandbox.Name,
                    WorkingDir = "/root",
                    Entrypoint = [$"{AgentMount}/sandboxd"],
                    Cmd = ["--socket", $"{RunMount}/agent.sock", "--egress-port", egress.Value.SandboxProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--code-prestart", _options.CodePrestart],
                    Env = Environment(spec).Select(e => $"{e.Key}={e.Value}").ToList(),
                    Labels = labels,
                    HostConfig = new HostConfig
                    {
                        NetworkMode = "none",
                        Init = true,
                        CapDrop = ["ALL"],
                        SecurityOpt = ["no-new-privileges"],
                        PidsLimit = spec.PidsLimit,
                        Memory = spec.MemoryBytes,
                        MemorySwap = spec.MemoryBytes,
                        NanoCPUs = (long)(spec.Cpus * 1_000_000_000),
                        Binds =
                        [
                            $"{_options.ResolvedAgentDirectory}:{AgentMount}:ro",
                            $"{hostFolder}:{RunMount}:rw",
                            $"{EgressFolder(sandbox)}:{EgressMount}:ro",
                        ],
                        RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },

                        // sandboxd keeps each process's output itself; a Docker log would only be
                        // a second, unbounded copy of whatever PID 1's stdout is fed.
                        LogConfig = new LogConfig { Type = "none" },
                        StorageOpt = storage,
                    },
                },
                cancellationToken);
            ContainerLog.Created(logger, sandbox.GrainKey, created.ID);
            return created.ID;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Created by an earlier activation that crashed before saving its state.
            var existing = await FindAsync(sandbox, cancellationToken);
            if (existing is null)
            {
                throw;
            }

            return existing.Id;
        }
        catch (DockerImageNotFoundException)
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"image '{spec.Image}' does not exist on this host; build it or name another image");
        }
    }

    /// <summary>
    /// The disk limit as the engine takes it. With btrfs simple quotas a container is charged
    /// only for what it writes, so the limit is the sandbox's disk. With full btrfs quotas it
    /// is charged for every byte its filesystem refers to, its image's included, so the limit
    /// is the image's size plus the sandbox's disk, plus an eighth of the image for what btrfs
    /// counts beyond the image's file sizes: metadata, partly filled blocks and the engine's
    /// init layer (about 6% of the default image when a container starts). Either way a
    /// sandbox can write its whole disk.
    /// </summary>
    private async Task<Dictionary<string, string>?> StorageAsync(SandboxSpec spec, CancellationToken cancellationToken)
    {
        if (spec.DiskBytes <= 0 || !folders.DiskLimits)
        {
            return null;
        }

        if (!folders.DiskLimitCountsImage)
        {
            return new Dictionary<string, string> { ["size"] = spec.DiskBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }

        ImageInspectResponse image;
        try
        {
            image = await docker.Images.InspectImageAsync(spec.Image, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            throw new SandboxException(SandboxError.InvalidArgument, $"image '{spec.Image}' does not exist on this host; build it or name another image");
        }

        var size = checked(image.Size + (image.Size / 8) + spec.DiskBytes);
        return new Dictionary<string, string> { ["size"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    /// <summary>
    /// The sandbox's own variables over the egress settings: tools that honour the usual
    /// proxy variables (curl, git, pip, npm) go through sandboxd's proxy to the silo, and
    /// git's own protocol goes through the git-proxy helper beside sandboxd.
    /// </summary>
    private Dictionary<string, string> Environment(SandboxSpec spec)
    {
        var proxy = $"http://127.0.0.1:{egress.Value.SandboxProxyPort}";
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HTTP_PROXY"] = proxy,
            ["HTTPS_PROXY"] = proxy,
            ["http_proxy"] = proxy,
            ["https_proxy"] = proxy,
            ["NO_PROXY"] = "localhost,127.0.0.1,::1",
            ["no_proxy"] = "localhost,127.0.0.1,::1",
            ["GIT_PROXY_COMMAND"] = $"{AgentMount}/git-proxy",
        };
        foreach (var (key, value) in spec.Env)
        {
            variables[key] = value;
        }

        return variables;
    }

    public async Task StartAsync(SandboxKey sandbox, string containerId, CancellationToken cancellationToken)
    {
        // Again at every start: a host restart leaves the folder without its tmpfs.
        folders.PrepareSocketFolder(HostFolder(sandbox));
        await docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken);
    }

    public async Task StopAsync(string containerId, CancellationToken cancellationToken)
    {
        await docker.Containers.StopContainerAsync(containerId, new ContainerStopParameters { WaitBeforeKillSeconds = 3 }, cancellationToken);
    }

    /// <summary>Removes the container and the host folder. Safe to call when either is gone.</summary>
    public async Task RemoveAsync(SandboxKey sandbox, CancellationToken cancellationToken)
    {
        var container = await FindAsync(sandbox, cancellationToken);
        if (container is not null)
        {
            try
            {
                await docker.Containers.RemoveContainerAsync(container.Id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
            }
            catch (DockerContainerNotFoundException)
            {
            }
        }

        SocketFolderMount.Unmount(HostFolder(sandbox));
        foreach (var folder in new[] { HostFolder(sandbox), EgressFolder(sandbox) })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
