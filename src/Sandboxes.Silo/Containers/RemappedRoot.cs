using System.Globalization;
using Docker.DotNet.Models;

namespace Sandboxes.Silo.Containers;

/// <summary>
/// The host user and group that root inside a container is, on an engine started with
/// <c>--userns-remap</c>. Host folders bind-mounted into sandboxes belong to them.
/// </summary>
public sealed record RemappedRoot(int Uid, int Gid)
{
    /// <summary>Root on an engine without remapping: container root is host root.</summary>
    public static RemappedRoot HostRoot { get; } = new(0, 0);

    /// <summary>
    /// Null when the engine does not remap users. A remapping engine says so in its security
    /// options ("name=userns") and keeps its data under a folder named UID.GID of the
    /// remapped root, which is the one place its API tells the range in use.
    /// </summary>
    public static RemappedRoot? FromEngine(SystemInfoResponse info)
    {
        if (info.SecurityOptions?.Any(o => o.Split(',').Contains("name=userns", StringComparer.Ordinal)) != true)
        {
            return null;
        }

        var ids = Path.GetFileName((info.DockerRootDir ?? string.Empty).TrimEnd('/')).Split('.');
        if (ids.Length == 2
            && int.TryParse(ids[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            && int.TryParse(ids[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gid)
            && uid > 0 && gid > 0)
        {
            return new RemappedRoot(uid, gid);
        }

        throw new InvalidOperationException($"the engine remaps users but its data root '{info.DockerRootDir}' does not end in UID.GID; cannot tell which host user container root is");
    }
}
