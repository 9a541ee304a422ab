using System.Diagnostics.CodeAnalysis;
using System.Globalization;

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

    /// <summary>
    /// Parses <c>host</c>, <c>host:port</c>, <c>*.domain[:port]</c>, <c>*[:port]</c> or <c>[v6][:port]</c>.
    /// Hosts are held to the same strict form as requests (<see cref="EgressHost.TryCanonical"/>);
    /// an internationalized name may be written in Unicode and is kept as punycode.
    /// </summary>
    public static bool TryParse(string pattern, [NotNullWhen(true)] out EgressRule? rule, out string error)
    {
        rule = null;
        if (!EgressHost.TrySplit(pattern.Trim(), out var host, out var bracketed, out var port, out error))
        {
            error = $"'{pattern}': {error}";
            return false;
        }

        string name;
        if (host == "*")
        {
            name = host;
        }
        else if (host.StartsWith("*.", StringComparison.Ordinal))
        {
            if (!HostName.TryNormalize(host[2..], allowUnicode: true, out var domain, out error))
            {
                error = $"'{pattern}': '{EgressHost.Printable(host[2..])}' is not a host name: {error}";
                return false;
            }

            name = "*." + domain;
        }
        else if (!EgressHost.TryCanonical(host, bracketed, allowUnicode: true, out name, out error))
        {
            error = $"'{pattern}': {error}";
            return false;
        }

        rule = new EgressRule(pattern, name, port);
        return true;
    }

    public override string ToString() => Port is { } p ? $"{Host}:{p.ToString(CultureInfo.InvariantCulture)}" : Host;
}
