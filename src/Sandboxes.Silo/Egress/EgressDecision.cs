using System.Net;

namespace Sandboxes.Silo.Egress;

/// <summary>Where a sandbox may connect for one request, or why it may not.</summary>
public sealed record EgressDecision(IReadOnlyList<IPAddress> Addresses, string? Denial)
{
    public bool Allowed => Denial is null;

    public static EgressDecision Deny(string reason) => new([], reason);
}
