using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// Host and port text as proxies see it: <c>name:port</c>, <c>1.2.3.4:port</c>, <c>[v6]:port</c>,
/// brought to one canonical spelling or refused. The host the allow-list checks is then, byte
/// for byte, the one that is resolved, so nothing a resolver would read differently (a NUL,
/// <c>127.1</c>, octal, a zone id) gets past the check.
/// </summary>
public static class EgressHost
{
    /// <summary>Splits host and port and brings the host to canonical form (see <see cref="TryCanonical"/>).</summary>
    public static bool TryParse(string text, bool allowUnicode, out string host, out int? port, out string error)
    {
        host = "";
        if (!TrySplit(text, out var raw, out var bracketed, out port, out error))
        {
            return false;
        }

        return TryCanonical(raw, bracketed, allowUnicode, out host, out error);
    }

    /// <summary>
    /// An IPv6 address (only in brackets, without a zone), an IPv4 address as four decimal
    /// numbers, or a host name (<see cref="HostName"/>); lowercase, IPv6 without brackets.
    /// </summary>
    public static bool TryCanonical(string host, bool bracketed, bool allowUnicode, out string canonical, out string error)
    {
        canonical = "";
        error = "";
        if (bracketed)
        {
            if (!host.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.') || !IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{Printable(host)}' in brackets is not an IPv6 address (zone ids such as %eth0 are not accepted)";
                return false;
            }

            canonical = v6.ToString();
            return true;
        }

        if (host.Length > 0 && host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            if (!TryDottedQuad(host, out var v4))
            {
                error = $"'{host}' is not an IPv4 address: write four decimal numbers from 0 to 255 without leading zeros";
                return false;
            }

            canonical = v4.ToString();
            return true;
        }

        if (!HostName.TryNormalize(host, allowUnicode, out canonical, out var why))
        {
            error = $"'{Printable(host)}' is not a valid host name: {why}";
            return false;
        }

        return true;
    }

    /// <summary>Splits <c>host[:port]</c> or <c>[v6][:port]</c>; the host comes back without brackets.</summary>
    public static bool TrySplit(string text, out string host, out bool bracketed, out int? port, out string error)
    {
        host = text;
        port = null;
        error = "";
        bracketed = text.StartsWith('[');
        string? portText = null;
        if (bracketed)
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < text.Length && text[close + 1] != ':'))
            {
                error = "an IPv6 address must be written [address] or [address]:port";
                return false;
            }

            host = text[1..close];
            portText = close + 1 < text.Length ? text[(close + 2)..] : null;
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = "write an IPv6 address in brackets, as [address] or [address]:port";
                return false;
            }

            if (colon >= 0)
            {
                host = text[..colon];
                portText = text[(colon + 1)..];
            }
        }

        if (host.Length == 0)
        {
            error = "the host is empty";
            return false;
        }

        if (portText is not null)
        {
            if (portText.Length > 5 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                error = $"the port '{Printable(portText)}' is not a number from 1 to 65535";
                return false;
            }

            port = p;
        }

        return true;
    }

    /// <summary>host:port as a request names it, with an IPv6 address in brackets.</summary>
    public static string Authority(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Text safe to put in a message or a log: control and non-ASCII characters as \xNN.</summary>
    public static string Printable(string text)
    {
        var printable = new StringBuilder(text.Length);
        foreach (var c in text.Length > 300 ? text[..300] + "..." : text)
        {
            printable.Append(c is >= ' ' and < '\x7f' ? c.ToString() : $"\\x{(int)c:x2}");
        }

        return printable.ToString();
    }

    private static bool TryDottedQuad(string text, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        var bytes = new byte[4];
        if (parts.Length != 4)
        {
            return false;
        }

        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        address = new IPAddress(bytes);
        return true;
    }
}
