using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// One entry of Egress:AllowedHosts. A rule that names its host exactly (a name or an IP
/// address) may reach internal addresses (loopback, private, link-local); a wildcard rule
/// only ever reaches public ones, so a name that resolves inward is not let through by accident.
/// </summary>
public sealed record EgressRule(string Pattern, string Host, int? Port)
{
    public bool IsWildcard => Host == "*" || Host.StartsWith("*.", StringComparison.Ordinal);

    public bool Matches(string host, int port)
    {
        if (Port is { } only && only != port)
        {
            return false;
        }

        if (Host == "*")
        {
            return true;
        }

        if (Host.StartsWith("*.", StringComparison.Ordinal))
        {
            return host.EndsWith(Host[1..], StringComparison.Ordinal) && host.Length > Host.Length - 1;
        }

        return host == Host;
    }

    /// <summary>Parses <c>host</c>, <c>host:port</c>, <c>*.domain[:port]</c>, <c>*[:port]</c> or <c>[v6][:port]</c>.</summary>
    public static bool TryParse(string pattern, [NotNullWhen(true)] out EgressRule? rule, out string error)
    {
        rule = null;
        var text = pattern.Trim();
        if (!EgressHost.TrySplit(text, out var host, out var port, out error))
        {
            error = $"'{pattern}': {error}";
            return false;
        }

        var name = host == "*" ? host : host.StartsWith("*.", StringComparison.Ordinal) ? "*." + EgressHost.Normalize(host[2..]) : EgressHost.Normalize(host);
        var checkedPart = name.StartsWith('*') ? name.TrimStart('*', '.') : name;
        if (name != "*" && !IPAddress.TryParse(checkedPart, out _) && !EgressHost.IsDnsName(checkedPart))
        {
            error = $"'{pattern}': '{host}' is neither an IP address nor a host name";
            return false;
        }

        rule = new EgressRule(pattern, name, port);
        return true;
    }

    public override string ToString() => Port is { } p ? $"{Host}:{p.ToString(CultureInfo.InvariantCulture)}" : Host;
}
