using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Sandboxes.Silo.Hosting;

namespace Sandboxes.Silo.Egress;

/// <summary>
/// Decides where a sandbox may connect: the host must be a valid name or address and match
/// Egress:AllowedHosts, and every address it resolves to is checked, so a public name that
/// resolves inward is refused. The decision carries the checked addresses, which are the
/// only ones the proxy connects to. The silo's own ports (gRPC, HTTP, Orleans) and its
/// storage are never reachable, whatever the list says; this host's other ports only through
/// a rule that names the host exactly.
/// </summary>
public sealed partial class EgressPolicy
{
    private readonly IReadOnlyList<EgressRule> _rules;
    private readonly HashSet<int> _controlPlanePorts;
    private static readonly TimeSpan LocalAddressesLifetime = TimeSpan.FromSeconds(10);
    private (IReadOnlySet<IPAddress> Addresses, long At)? _localAddresses;
    private readonly TimeSpan _resolveTimeout;

    public EgressPolicy(IOptions<EgressOptions> egress, IOptions<SandboxesOptions> sandboxes)
    {
        _rules = egress.Value.AllowedHosts.Select(pattern => EgressRule.TryParse(pattern, out var rule, out _) ? rule : null).OfType<EgressRule>().ToList();
        _controlPlanePorts = ControlPlanePorts(sandboxes.Value);
        _resolveTimeout = egress.Value.ConnectTimeout;
    }

    public async Task<EgressDecision> DecideAsync(string requestedHost, int port, CancellationToken cancellationToken)
    {
        var bracketed = requestedHost.StartsWith('[') && requestedHost.EndsWith(']');
        var bare = bracketed ? requestedHost[1..^1] : requestedHost;
        if (!EgressHost.TryCanonical(bare, bracketed || bare.Contains(':', StringComparison.Ordinal), allowUnicode: false, out var host, out var invalid))
        {
            return EgressDecision.Deny(invalid);
        }

        var literal = IPAddress.TryParse(host, out var parsed) ? parsed : null;
        var target = EgressHost.Authority(host, port);
        var rules = _rules.Where(r => r.Matches(host, port)).ToList();
        if (rules.Count == 0)
        {
            return EgressDecision.Deny($"{target} is not in Egress:AllowedHosts (the silo operator can add it, e.g. Egress__AllowedHosts__0={target})");
        }

        IPAddress[] resolved;
        if (literal is not null)
        {
            resolved = [literal];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_resolveTimeout);
                resolved = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return EgressDecision.Deny($"{host} does not resolve: {e.Message}");
            }
        }

        var mayGoInward = rules.Any(r => !r.IsWildcard);
        var local = LocalAddresses();
        var allowed = new List<IPAddress>();
        string? denial = null;
        foreach (var address in resolved)
        {
            if (_controlPlanePorts.Contains(port) && InternalAddresses.IsThisHost(address, local))
            {
                denial = $"{target} is the sandbox service itself ({address}); sandboxes never reach the control plane";
            }
            else if (!mayGoInward && InternalAddresses.IsInternal(address, local))
            {
                var what = InternalAddresses.Contains(address) ? "the internal address" : "an internal address, this host's own,";
                denial = $"{target} resolves to {what} {address}, which only a rule naming the host exactly allows";
            }
            else
            {
                allowed.Add(address);
            }
        }

        return allowed.Count > 0 ? new EgressDecision(allowed, null) : EgressDecision.Deny(denial ?? $"{host} resolves to no address");
    }

    private static HashSet<int> ControlPlanePorts(SandboxesOptions options)
    {
        var ports = new HashSet<int> { options.SiloPort, options.GatewayPort };
        foreach (var url in new[] { options.GrpcUrl, options.HttpUrl })
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var listening))
            {
                ports.Add(listening.Port);
            }
        }

        // Storage holds every sandbox's state; Azurite on this host must stay out of reach.
        if (options.StorageConnectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            ports.UnionWith([10000, 10001, 10002]);
        }

        foreach (Match endpoint in EndpointPort().Matches(options.StorageConnectionString))
        {
            ports.Add(int.Parse(endpoint.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return ports;
    }

    /// <summary>This host's interface addresses, read again every few seconds: interfaces come and go (Docker adds bridges).</summary>
    private IReadOnlySet<IPAddress> LocalAddresses()
    {
        if (_localAddresses is { } cached && Environment.TickCount64 - cached.At < LocalAddressesLifetime.TotalMilliseconds)
        {
            return cached.Addresses;
        }

        var addresses = new HashSet<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                addresses.UnionWith(nic.GetIPProperties().UnicastAddresses.Select(u => u.Address));
            }
        }
        catch (NetworkInformationException)
        {
            // Loopback and unspecified addresses are still refused by IsThisHost.
        }

        _localAddresses = (addresses, Environment.TickCount64);
        return addresses;
    }

    [GeneratedRegex(@"https?://[^/:;]+:(\d{1,5})")]
    private static partial Regex EndpointPort();
}
