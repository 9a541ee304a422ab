using System.Globalization;
using System.Net;

namespace Sandboxes.Silo.Egress;

/// <summary>Host and port text as proxies see it: <c>name:port</c>, <c>1.2.3.4:port</c>, <c>[v6]:port</c>.</summary>
public static class EgressHost
{
    /// <summary>Lowercase, without a trailing dot, IPv6 without brackets and in canonical form.</summary>
    public static string Normalize(string host)
    {
        var bare = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        return IPAddress.TryParse(bare, out var address) ? address.ToString() : bare;
    }

    public static bool TrySplit(string text, out string host, out int? port, out string error)
    {
        host = text;
        port = null;
        error = "";
        string? portText = null;
        if (text.StartsWith('['))
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
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                error = $"the port '{portText}' is not a number from 1 to 65535";
                return false;
            }

            port = p;
        }

        return true;
    }

    /// <summary>Letters, digits, '-', '_' and dots; labels of 1 to 63 characters.</summary>
    public static bool IsDnsName(string name) =>
        name.Length is > 0 and <= 253
        && name.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
}
