using Docker.DotNet;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Containers;

/// <summary>
/// The host folders bind-mounted into a sandbox (boxes/NAME for the agent's sockets,
/// egress/NAME for the silo's proxy socket). They hold sockets only. Each belongs to the
/// engine's remapped root with mode 0700, so root in that sandbox can use it and no other
/// host user can enter it, and a file a sandbox makes there (a setuid copy of a shell, say)
/// belongs to an unprivileged host user that nobody else can reach. Their parents are the
/// silo's, 0711: the engine passes through them to mount a folder, nobody can list them.
/// </summary>
public sealed partial class SandboxFolders(DockerClient docker, IOptions<SandboxesOptions> options, ILogger<SandboxFolders> logger)
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PassThrough = Private | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly SandboxesOptions _options = options.Value;
    private RemappedRoot? _root;
    private bool _diskLimits;
    private bool _diskLimitCountsImage;

    /// <summary>Whom the folders belong to; known once <see cref="CheckEngineAsync"/> has run at start.</summary>
    public RemappedRoot Root => _root ?? throw new InvalidOperationException("the engine has not been checked yet");

    /// <summary>Whether the engine enforces <c>--storage-opt size</c> (btrfs with quotas).</summary>
    public bool DiskLimits => _root is not null ? _diskLimits : throw new InvalidOperationException("the engine has not been checked yet");

    /// <summary>
    /// Whether the engine's quota counts all a container refers to, its image included (btrfs
    /// qgroups), rather than only what it writes (btrfs simple quotas, "squota"). prepare-host
    /// names the mode in the engine's label sandboxes.disk-quota.
    /// </summary>
    public bool DiskLimitCountsImage => _root is not null ? _diskLimitCountsImage : throw new InvalidOperationException("the engine has not been checked yet");

    /// <summary>
    /// Refuses an engine on which root in a sandbox would be root on the host, or whose
    /// storage cannot limit a sandbox's disk, unless Sandboxes:AllowUnconfinedEngine says
    /// this is a development machine.
    /// </summary>
    public async Task CheckEngineAsync(CancellationToken cancellationToken)
    {
        var info = await docker.System.GetSystemInfoAsync(cancellationToken);
        var remapped = RemappedRoot.FromEngine(info);
        var btrfs = string.Equals(info.Driver, "btrfs", StringComparison.Ordinal);
        if ((remapped is null || !btrfs) && !_options.AllowUnconfinedEngine)
        {
            var missing = remapped is null ? "does not remap users (root in a sandbox would be root on this host)" : $"stores containers with '{info.Driver}', which cannot limit a sandbox's disk";
            throw new InvalidOperationException(
                $"the Docker engine at {_options.DockerEndpoint} {missing}. Start the product's own engine with `.ci/prepare-host.sh engine` and set Sandboxes:DockerEndpoint to its socket (run.sh does), or set Sandboxes:AllowUnconfinedEngine=true on a development machine.");
        }

        if (remapped is null || !btrfs)
        {
            UnconfinedEngine(logger, _options.DockerEndpoint, remapped is not null, btrfs);
        }

        _diskLimits = btrfs;
        _diskLimitCountsImage = info.Labels?.Contains("sandboxes.disk-quota=squota", StringComparer.Ordinal) != true;
        _root = remapped ?? RemappedRoot.HostRoot;
    }

    /// <summary>Creates the folder, or takes back one that exists, as the remapped root's with mode 0700.</summary>
    public void Prepare(string folder)
    {
        var parent = Path.GetDirectoryName(folder) ?? throw new ArgumentException($"'{folder}' has no parent", nameof(folder));
        Directory.CreateDirectory(parent, PassThrough);
        File.SetUnixFileMode(parent, PassThrough);
        Directory.CreateDirectory(folder, Private);
        File.SetUnixFileMode(folder, Private);
        FileOwnership.Set(folder, Root.Uid, Root.Gid);
    }

    /// <summary>
    /// The agent's socket folder: prepared like the others, with a tiny tmpfs over it so that
    /// what a sandbox writes there counts against neither its disk limit nor the host's disk.
    /// </summary>
    public void PrepareSocketFolder(string folder)
    {
        Prepare(folder);
        SocketFolderMount.Mount(folder, Root.Uid, Root.Gid);
    }

    [LoggerMessage(1, LogLevel.Warning, "The Docker engine at {Endpoint} is not confined (user remapping: {Remapped}, disk limits: {DiskLimits}); allowed by Sandboxes:AllowUnconfinedEngine, for development only")]
    private static partial void UnconfinedEngine(ILogger logger, string endpoint, bool remapped, bool diskLimits);
}
