using System.Diagnostics.CodeAnalysis;

namespace Sandboxes.Silo.Cluster;

/// <summary>
/// The rule for a host's name: a lowercase DNS name (labels of a-z, 0-9 and '-', joined by
/// dots, 253 characters at most), as Kubernetes node names and machine names are. It is shown
/// in listings and logs, named by `sbx create --host`, and compared as written.
/// </summary>
public static class HostNames
{
    public const int MaxLength = 253;

    public static bool IsValid([NotNullWhen(true)] string? name) =>
        name is { Length: > 0 and <= MaxLength } && name.Split('.').All(SandboxName.IsValid);
}
