using System.Net;
using System.Net.Sockets;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// Addresses that lead inward rather than to the internet: the host itself, private
/// networks, link-local (where cloud metadata services live) and the like. Egress reaches
/// them only through a rule that names them exactly. An IPv6 address that carries an IPv4
/// address (mapped, compatible, NAT64, 6to4) is judged by the IPv4 address it carries, since
/// that is where a translator or relay delivers it.
/// </summary>
public static class InternalAddresses
{
    private static readonly (IPAddress Network, int Bits)[] Ranges =
    [
        (IPAddress.Parse("0.0.0.0"), 8),        // "this network"; 0.0.0.0 reaches the host
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),    // carrier-grade NAT
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),   // link-local, cloud metadata (169.254.169.254)
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("224.0.0.0"), 3),      // multicast, reserved, broadcast
        (IPAddress.Parse("::"), 128),
        (IPAddress.Parse("::1"), 128),
        (IPAddress.Parse("64:ff9b:1::"), 48),   // local-use NAT64 (RFC 8215): a translator on this network
        (IPAddress.Parse("100::"), 64),         // discard-only
        (IPAddress.Parse("2001::"), 32),        // Teredo: the real destination is hidden in the address
        (IPAddress.Parse("fc00::"), 7),         // unique local (fd00:ec2::254 is a metadata address)
        (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("fec0::"), 10),        // site-local: deprecated, yet still routed inward by some networks
        (IPAddress.Parse("ff00::"), 8),
    ];

    /// <summary>True for an internal address, or an IPv6 address carrying one.</summary>
    public static bool Contains(IPAddress address) =>
        InRanges(address) || (CarriedIPv4(address) is { } carried && InRanges(carried));

    /// <summary>Internal, or one of this host's own addresses: what a wildcard rule never reaches, on any port.</summary>
    public static bool IsInternal(IPAddress address, IReadOnlySet<IPAddress> localAddresses) =>
        Contains(address) || IsThisHost(address, localAddresses);

    /// <summary>Addresses that reach this host: loopback, unspecified, and every local interface's (also when carried in IPv6).</summary>
    public static bool IsThisHost(IPAddress address, IReadOnlySet<IPAddress> localAddresses)
    {
        return Reaches(address) || (CarriedIPv4(address) is { } carried && Reaches(carried));

        bool Reaches(IPAddress a) =>
            IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || localAddresses.Contains(a);
    }

    /// <summary>
    /// The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96),
    /// IPv4-compatible (::/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) IPv6 address; else null.
    /// </summary>
    public static IPAddress? CarriedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        var b = address.GetAddressBytes();
        var prefix = Convert.ToHexString(b, 0, 12);
        if (prefix is "000000000000000000000000" or "00000000000000000000FFFF" or "0000000000000000FFFF0000")
        {
            return new IPAddress(b.AsSpan(12, 4));
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return new IPAddress(b.AsSpan(12, 4));
        }

        return b[0] == 0x20 && b[1] == 0x02 ? new IPAddress(b.AsSpan(2, 4)) : null;
    }

    private static bool InRanges(IPAddress address) => Ranges.Any(range => InRange(address, range.Network, range.Bits));

    private static bool InRange(IPAddress address, IPAddress network, int bits)
    {
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
