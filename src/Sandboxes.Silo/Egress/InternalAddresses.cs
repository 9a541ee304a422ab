using System.Net;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// Addresses that lead inward rather than to the internet: the host itself, private
/// networks, link-local (where cloud metadata services live) and the like. Egress reaches
/// them only through a rule that names them exactly.
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
        (IPAddress.Parse("fc00::"), 7),         // unique local (fd00:ec2::254 is a metadata address)
        (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("ff00::"), 8),
    ];

    public static bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return Ranges.Any(range => InRange(address, range.Network, range.Bits));
    }

    /// <summary>Addresses that reach this host: loopback, unspecified, and every local interface's.</summary>
    public static bool IsThisHost(IPAddress address, IReadOnlySet<IPAddress> localAddresses)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return IPAddress.IsLoopback(address)
            || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || localAddresses.Contains(address);
    }

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
